// Migrations: applied to an empty database, and a no-op when run again.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { openNodeDb } from './db.js'
import { migrateDatabase } from './migrate.js'

describe('migrateDatabase', () => {
  it('creates the shared tables and can run twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'softswitch-migrate-'))
    const { db, client } = await openNodeDb(pathToFileURL(join(dir, 'x.db')).href)
    try {
      await migrateDatabase(db)
      await migrateDatabase(db)
      const tables = await db.all<{ name: string }>(sql`select name from sqlite_master where type = 'table'`)
      expect(tables.map((t) => t.name)).toEqual(
        expect.arrayContaining(['accounts', 'mapping_gateways', 'routing_gateways', 'gateway_groups', 'system_parameters', 'api_keys', 'config_version']),
      )
    } finally {
      client.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
