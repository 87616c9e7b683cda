// Covers the choice of the CDR insert: statements prepared once on a connection of its own for a local file, the client for a server, the same rows either way.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { applyMigrations, openDatabase, type Database } from '../../shared/db/node/database.js'
import { startSqld } from '../../shared/db/node/test-support/sqld-server.js'
import { FileCdrInsert, openCdrInsert } from './cdr-insert.js'
import { sampleCdr } from './test-support/records.js'

let dir: string
const cleanups: (() => Promise<void> | void)[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'softswitch-cdr-insert-'))
})

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await rm(dir, { recursive: true, force: true })
})

async function migrated(url: string): Promise<Database> {
  const d = openDatabase({ url })
  cleanups.push(() => d.close())
  await applyMigrations(d.db)
  return d
}

async function ids(d: Database): Promise<string[]> {
  return (await d.client.execute('select id from cdrs order by id')).rows.map((r) => String(r['id']))
}

describe('openCdrInsert', () => {
  it('prepares once on its own connection to a local file, and commits before it resolves', async () => {
    const d = await migrated(pathToFileURL(join(dir, 'core.db')).href)
    const insert = openCdrInsert(d)
    cleanups.push(() => insert.close())
    expect(insert).toBeInstanceOf(FileCdrInsert)
    const first = Array.from({ length: 3 }, () => sampleCdr())
    await insert.write(first, [], 1)
    // The client's connection sees the rows: the transaction committed on the writer's own connection.
    expect(await ids(d)).toEqual(first.map((r) => r.id).sort())
    // Closed (as after a failure that is not the data's), it opens and prepares again at the next batch.
    insert.close()
    const second = [sampleCdr(), first[0]!]
    await insert.write(second, [], 2)
    expect(await ids(d)).toEqual([...first, second[0]!].map((r) => r.id).sort())
  })

  it('goes through the client for a server (sqld), with the same idempotent insert', async () => {
    const sqld = await startSqld()
    cleanups.push(() => sqld.dispose())
    const d = await migrated(sqld.url)
    const insert = openCdrInsert(d)
    expect(insert).not.toBeInstanceOf(FileCdrInsert)
    const records = [sampleCdr(), sampleCdr()]
    await insert.write([...records, records[0]!], [], 1)
    await insert.write(records, [], 2)
    expect(await ids(d)).toEqual(records.map((r) => r.id).sort())
  })
})
