// Vitest globalSetup for the workers project: starts a real libSQL server (sqld), migrates it, and provides its URL.
import type { TestProject } from 'vitest/node'
import { startSqld } from '../../shared/db/node/test-support/sqld-server.js'
import { insertApiKey } from '../auth/insert-api-key.js'
import { startWebhookReceiver } from './webhook-receiver.js'
import './provided-context.js'
import { applyMigrations, openDatabase } from '../../shared/db/node/database.js'

/** Starts sqld on a free port with a temp db, migrates it, adds an admin key, starts a webhook receiver and provides all three; returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const sqld = await startSqld()
  let adminApiKey: string
  try {
    const { db, client } = openDatabase({ url: sqld.url })
    await applyMigrations(db)
    adminApiKey = await insertApiKey(db, 'workers test admin', 'admin')
    client.close()
  } catch (err) {
    await sqld.dispose()
    throw new Error('sqld setup failed', { cause: err })
  }
  const receiver = await startWebhookReceiver()
  project.provide('databaseUrl', sqld.url)
  project.provide('adminApiKey', adminApiKey)
  project.provide('webhookReceiverUrl', receiver.url)
  return async () => {
    await receiver.close()
    await sqld.dispose()
  }
}
