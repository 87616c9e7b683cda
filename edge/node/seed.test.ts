// Demo seed for a new local database: what docs/operations.md "First start" promises, idempotent, and detected only before the first migration.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { useHarness } from '../test-support/harness.js'
import { DEMO_IDS, isNewDatabase, seedDemoConfig } from './seed.js'
import { applyMigrations, openDatabase } from '../../shared/db/node/database.js'

describe('seedDemoConfig', () => {
  const h = useHarness()

  it('creates one account, one IP-auth mapping gateway on 127.0.0.1 and one catch-all route to 127.0.0.1:5070', async () => {
    await seedDemoConfig(h().db)
    const accounts = await h().request('GET', '/v1/accounts')
    const ingress = await h().request('GET', '/v1/mapping-gateways')
    const routes = await h().request('GET', '/v1/routing-gateways')
    expect(accounts.body.items).toEqual([expect.objectContaining({ id: DEMO_IDS.account, status: 'normal' })])
    expect(ingress.body.items).toEqual([
      expect.objectContaining({ accountId: DEMO_IDS.account, authMode: 'ip', ips: ['127.0.0.1'], lockType: 'none' }),
    ])
    expect(routes.body.items).toEqual([expect.objectContaining({ host: '127.0.0.1', port: 5070, prefixes: [], lockType: 'none' })])
    expect(await h().configVersion()).toBe(1)
  })

  it('inserts nothing twice when run again', async () => {
    await seedDemoConfig(h().db)
    await seedDemoConfig(h().db)
    expect((await h().request('GET', '/v1/routing-gateways')).body.items).toHaveLength(1)
  })
})

describe('isNewDatabase', () => {
  it('is true before the first migration and false after it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'softswitch-new-'))
    const { db, client } = openDatabase({ url: pathToFileURL(join(dir, 'x.db')).href })
    try {
      expect(await isNewDatabase(db)).toBe(true)
      await applyMigrations(db)
      expect(await isNewDatabase(db)).toBe(false)
    } finally {
      client.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
