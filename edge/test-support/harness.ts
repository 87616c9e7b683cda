// Route test harness: a fresh, migrated libSQL file in a temp dir, admin and viewer keys, and the app over it (no mocks).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach } from 'vitest'
import { createApp } from '../app.js'
import { readConfigVersion } from '../config-version.js'
import type { Db } from '../env.js'
import { insertApiKey } from '../auth/insert-api-key.js'
import { applyMigrations, openDatabase } from '../../shared/db/node/database.js'

/** Who sends a request: one of the seeded keys, no key at all, or an explicit secret. */
export type Caller = 'admin' | 'viewer' | 'none' | { secret: string }

/** A parsed response: status plus the JSON body (null when there is none). */
export interface JsonResponse<T = any> {
  status: number
  body: T
  headers: Headers
}

/** One test's world: the app, its database and the seeded keys. */
export interface Harness {
  app: ReturnType<typeof createApp>
  db: Db
  /** file: URL of the database, for tests that open a second connection to it. */
  url: string
  adminKey: string
  viewerKey: string
  /** Sends a request through `app.request()`; objects are sent as JSON, strings as they are. */
  request: <T = any>(method: string, path: string, options?: { as?: Caller; body?: unknown }) => Promise<JsonResponse<T>>
  configVersion: () => Promise<number>
  close: () => Promise<void>
}

/** Creates a temp dir with a migrated database file and two keys (admin, viewer). */
export async function createHarness(): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'softswitch-edge-'))
  const url = pathToFileURL(join(dir, 'test.db')).href
  const { db, client } = openDatabase({ url })
  await applyMigrations(db)
  const adminKey = await insertApiKey(db, 'test admin', 'admin')
  const viewerKey = await insertApiKey(db, 'test viewer', 'viewer')
  const app = createApp({ getDb: () => db })

  const request: Harness['request'] = async (method, path, options = {}) => {
    const caller = options.as ?? 'admin'
    const headers = new Headers()
    if (caller === 'admin') headers.set('authorization', `Bearer ${adminKey}`)
    else if (caller === 'viewer') headers.set('authorization', `Bearer ${viewerKey}`)
    else if (caller !== 'none') headers.set('authorization', `Bearer ${caller.secret}`)
    let body: string | undefined
    if (options.body !== undefined) {
      headers.set('content-type', 'application/json')
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    }
    const res = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) })
    const text = await res.text()
    return { status: res.status, body: text === '' ? null : JSON.parse(text), headers: res.headers }
  }

  return {
    app,
    db,
    url,
    adminKey,
    viewerKey,
    request,
    configVersion: () => readConfigVersion(db),
    close: async () => {
      client.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** Registers beforeEach/afterEach so every test gets its own fresh harness; read it through the returned getter. */
export function useHarness(): () => Harness {
  let current: Harness | undefined
  beforeEach(async () => {
    current = await createHarness()
  })
  afterEach(async () => {
    await current?.close()
    current = undefined
  })
  return () => {
    if (current === undefined) throw new Error('harness used outside a test')
    return current
  }
}
