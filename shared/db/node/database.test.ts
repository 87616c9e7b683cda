// Covers the Node database module of core and edge: file URLs, folder creation, WAL mode, migrations, and an embedded replica of a real sqld primary.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { systemParameters } from '../schema.js'
import { applyMigrations, databaseFilePath, DatabaseConfigError, openDatabase, openWriterConnection, type Database } from './database.js'
import { startSqld, type SqldServer } from './test-support/sqld-server.js'

const opened: Database[] = []
const dirs: string[] = []

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'softswitch-core-db-'))
  dirs.push(dir)
  return dir
}

function track(d: Database): Database {
  opened.push(d)
  return d
}

afterEach(async () => {
  for (const d of opened.splice(0)) d.close()
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('databaseFilePath', () => {
  it('maps file: URLs to paths and server URLs to null', () => {
    expect(databaseFilePath('file:./data/softswitch.db')).toBe('./data/softswitch.db')
    expect(databaseFilePath('file:///var/lib/ss.db')).toBe('/var/lib/ss.db')
    expect(databaseFilePath('libsql://db.turso.io')).toBeNull()
    expect(databaseFilePath('http://127.0.0.1:8080')).toBeNull()
  })
})

describe('applyMigrations', () => {
  it('creates the shared tables and can run twice', async () => {
    const dir = await tempDir()
    const { db } = track(openDatabase({ url: pathToFileURL(join(dir, 'x.db')).href }))
    await applyMigrations(db)
    await applyMigrations(db)
    const tables = await db.all<{ name: string }>(sql`select name from sqlite_master where type = 'table'`)
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['accounts', 'mapping_gateways', 'routing_gateways', 'gateway_groups', 'system_parameters', 'api_keys', 'config_version']),
    )
  })
})

describe('openDatabase', () => {
  it('creates missing parent folders of a file database', async () => {
    const dir = await tempDir()
    const file = join(dir, 'a', 'b', 'x.db')
    const { db } = track(openDatabase({ url: pathToFileURL(file).href }))
    await db.run('create table t (x integer)')
    expect((await stat(file)).isFile()).toBe(true)
  })

  it('creates the folder of a file database and migrates it', async () => {
    const dir = await tempDir()
    const d = track(openDatabase({ url: pathToFileURL(join(dir, 'nested', 'core.db')).href }))
    expect(d.mode).toBe('file')
    await applyMigrations(d.db)
    await applyMigrations(d.db) // idempotent
    const tables = await d.client.execute("select name from sqlite_master where type = 'table' and name = 'cdrs'")
    expect(tables.rows).toHaveLength(1)
    await d.sync() // a no-op outside a replica
  })

  it('keeps a local file in WAL mode with a full fsync at every commit, for every process that opens it', async () => {
    const dir = await tempDir()
    const url = pathToFileURL(join(dir, 'core.db')).href
    const core = track(openDatabase({ url }))
    await applyMigrations(core.db)
    const edge = track(openDatabase({ url }))
    for (const d of [core, edge]) {
      expect((await d.client.execute('pragma journal_mode')).rows[0]?.[0]).toBe('wal')
      // FULL (2): a commit is on disk before the CDR writer deletes the records from its journal.
      expect((await d.client.execute('pragma synchronous')).rows[0]?.[0]).toBe(2)
      expect(d.writerPragmas.length).toBeGreaterThan(0)
    }
  })

  it('names a local file for a writer connection of its own, which commits with a full fsync and the writer pragmas', async () => {
    const dir = await tempDir()
    const file = join(dir, 'core.db')
    const d = track(openDatabase({ url: pathToFileURL(file).href }))
    expect(d.localFile).toBe(file)
    expect(track(openDatabase({ url: 'file::memory:' })).localFile).toBeNull()
    const conn = openWriterConnection(file)
    try {
      const pragma = (name: string): unknown => (conn.prepare(`pragma ${name}`).get() as Record<string, unknown>)[name]
      expect(['journal_mode', 'synchronous', 'cache_size', 'wal_autocheckpoint'].map(pragma)).toEqual(['wal', 2, -32768, 10_000])
      conn.exec('create table t (x integer)')
      conn.prepare('insert into t values (?)').run(1)
    } finally {
      conn.close()
    }
    expect((await d.client.execute('select count(*) from t')).rows[0]?.[0]).toBe(1)
  })

  it('lets a write commit while another process holds a read transaction on the file', async () => {
    const dir = await tempDir()
    const url = pathToFileURL(join(dir, 'core.db')).href
    const writer = track(openDatabase({ url }))
    await writer.client.execute('create table t (x integer)')
    const reader = track(openDatabase({ url }))
    const tx = await reader.client.transaction('read')
    try {
      expect((await tx.execute('select count(*) from t')).rows[0]?.[0]).toBe(0)
      const t0 = Date.now()
      await writer.client.execute('insert into t values (1)')
      // In rollback-journal mode this commit waits for the reader's lock until the 5 s busy timeout, then fails.
      expect(Date.now() - t0).toBeLessThan(2_000)
      expect((await tx.execute('select count(*) from t')).rows[0]?.[0]).toBe(0) // the reader keeps its snapshot
    } finally {
      tx.close()
    }
    expect((await reader.client.execute('select count(*) from t')).rows[0]?.[0]).toBe(1)
  })

  it('refuses a replica whose local URL is not a file', () => {
    expect(() => openDatabase({ url: 'http://127.0.0.1:1', syncUrl: 'http://127.0.0.1:2' })).toThrow(DatabaseConfigError)
  })

  describe('as an embedded replica of a sqld primary', () => {
    let sqld: SqldServer
    beforeAll(async () => {
      sqld = await startSqld()
      const primary = openDatabase({ url: sqld.url })
      await applyMigrations(primary.db)
      primary.close()
    })
    afterAll(async () => {
      await sqld.dispose()
    })

    it('sees rows written to the primary after sync() and forwards its own writes to the primary', async () => {
      const dir = await tempDir()
      const primary = track(openDatabase({ url: sqld.url }))
      expect(primary.mode).toBe('remote')
      const replica = track(openDatabase({ url: pathToFileURL(join(dir, 'replica.db')).href, syncUrl: sqld.url }))
      expect(replica.mode).toBe('replica')
      // Connection pragmas are for a local file only (a replica forwards writes; a server runs them on its own).
      expect([primary.writerPragmas, replica.writerPragmas]).toEqual([[], []])
      // Their CDR writers go through the client: a replica's writes go to its primary.
      expect([primary.localFile, replica.localFile]).toEqual([null, null])
      await replica.sync()

      await primary.db.insert(systemParameters).values({ name: 'SS_MAXCALLDURATION', value: 60, updatedAtMs: 1 })
      await replica.sync()
      const seen = await replica.db.select().from(systemParameters).where(eq(systemParameters.name, 'SS_MAXCALLDURATION'))
      expect(seen).toEqual([{ name: 'SS_MAXCALLDURATION', value: 60, updatedAtMs: 1 }])

      await replica.db.insert(systemParameters).values({ name: 'SS_CALLREMINTIME', value: 10, updatedAtMs: 2 })
      const atPrimary = await primary.db.select().from(systemParameters).where(eq(systemParameters.name, 'SS_CALLREMINTIME'))
      expect(atPrimary).toEqual([{ name: 'SS_CALLREMINTIME', value: 10, updatedAtMs: 2 }])
    })
  })
})
