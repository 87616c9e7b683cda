// Covers draining the CDR journal into libSQL: one idempotent multi-row insert per batch, backoff while the db is down, no loss.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { count } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cdrs } from '../../shared/db/schema.js'
import { cdrToRow } from '../../shared/entities/cdr.js'
import { applyMigrations, openDatabase, type Database } from '../../shared/db/node/database.js'
import { startSqld } from '../../shared/db/node/test-support/sqld-server.js'
import { ManualClock } from '../lib/clock.js'
import { createLogger, type Logger } from '../lib/log.js'
import { CdrJournal } from './journal.js'
import { clientCdrInsert, type CdrInsert } from './cdr-insert.js'
import { INSERT_PATHS } from './test-support/insert-paths.js'
import { CdrWriter } from './writer.js'
import { sampleCdr } from './test-support/records.js'
import type { CdrRecord } from './record.js'

let dir: string
let lines: Record<string, unknown>[]
let log: Logger
let clock: ManualClock
const cleanups: (() => Promise<void> | void)[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'softswitch-cdr-writer-'))
  lines = []
  log = createLogger({ level: 'debug', sink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) })
  clock = new ManualClock()
})

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await rm(dir, { recursive: true, force: true })
})

/** The insert of `path` for `d`, closed after the test. */
function insertInto(d: Database, path: (d: Database) => CdrInsert): CdrInsert {
  const insert = path(d)
  cleanups.push(() => insert.close())
  return insert
}

async function fileDb(): Promise<Database> {
  const d = openDatabase({ url: pathToFileURL(join(dir, 'core.db')).href })
  cleanups.push(() => d.close())
  await applyMigrations(d.db)
  return d
}

async function rowCount(d: Database): Promise<number> {
  return (await d.db.select({ n: count() }).from(cdrs))[0]?.n ?? -1
}

async function journalWith(records: CdrRecord[]): Promise<CdrJournal> {
  const j = await CdrJournal.open({ dir: join(dir, 'cdr-journal'), log })
  cleanups.push(() => j.close())
  await Promise.all(records.map((r) => j.append(r)))
  return j
}

describe.each(INSERT_PATHS)('CdrWriter into a local file through %s', (_, path) => {
  it('inserts a batch and ignores records the database already holds, so a replay never duplicates', async () => {
    const d = await fileDb()
    const records = Array.from({ length: 10 }, () => sampleCdr())
    const journal = await journalWith(records)
    // A previous run committed the first five but died before moving the checkpoint.
    await d.db.insert(cdrs).values(records.slice(0, 5))
    const writer = new CdrWriter({ journal, db: d.db, insert: insertInto(d, path), clock, log, batchSize: 100 })
    expect(await writer.drainOnce()).toEqual({ kind: 'written', records: 10, more: false })
    expect(await rowCount(d)).toBe(10)

    await journal.commit({ segment: 1, offset: 0 }) // rewind: the same batch again
    expect(await writer.drainOnce()).toMatchObject({ kind: 'written', records: 10 })
    expect(await rowCount(d)).toBe(10)
    expect(await writer.drainOnce()).toEqual({ kind: 'idle' })
  })

  it('writes a batch longer than one statement (500 rows) whole, a repeated id once', async () => {
    const d = await fileDb()
    const records = Array.from({ length: 1_201 }, () => sampleCdr())
    const journal = await journalWith([...records, records[600]!])
    const writer = new CdrWriter({ journal, db: d.db, insert: insertInto(d, path), clock, log, batchSize: 2_000 })
    expect(await writer.drainOnce()).toEqual({ kind: 'written', records: 1_202, more: false })
    expect(await rowCount(d)).toBe(1_201)
    const ids = (await d.db.select({ id: cdrs.id }).from(cdrs)).map((r) => r.id).sort()
    expect(ids).toEqual(records.map((r) => r.id).sort())
  })

  it('stores every column exactly as drizzle\'s own insert does (JSON text, booleans, nulls, unicode, optional RTP counters)', async () => {
    const d = await fileDb()
    const records = [
      sampleCdr(),
      sampleCdr({ answeredAtMs: null, pddMs: null, calleeOut: null, sipCode: null, cost: null, durationSec: 0, attempts: [], notes: ['no media', 'quote " and \\ and ünïcödé'], warningPlayed: true }),
      sampleCdr({ caller: '+4930123', rtpPacketsFromCaller: 50, rtpBytesFromCaller: 8600, rtpPacketsFromCallee: 0, rtpBytesFromCallee: 0, cost: 3 }),
      // absent keys take the column's default (udp) or null, as drizzle's insert gives them
      sampleCdr({ sourceTransport: undefined, vendorCost: 0.07, cost: 0.1 + 0.2 }),
      sampleCdr({ sourceTransport: 'tls', vendorCost: null, attempts: [{ routingGatewayId: 'rg2', sipCode: null, reason: 'GatewayTimeout', startedAtMs: 1, endedAtMs: 2, pddMs: null, transport: 'tcp', matchedPrefix: '33' }] }),
    ]
    const journal = await journalWith(records)
    expect(await new CdrWriter({ journal, db: d.db, insert: insertInto(d, path), clock, log }).drainOnce()).toMatchObject({ kind: 'written', records: 5 })
    const viaBatch = await d.client.execute('select * from cdrs order by id')
    await d.client.execute('delete from cdrs')
    await d.db.insert(cdrs).values(records.map(cdrToRow))
    const viaDrizzle = await d.client.execute('select * from cdrs order by id')
    expect(viaBatch.rows.map((r) => ({ ...r }))).toEqual(viaDrizzle.rows.map((r) => ({ ...r })))
    expect(viaBatch.rows).toHaveLength(5)
  })

  it('drains in batches of batchSize, advancing the checkpoint after each commit', async () => {
    const d = await fileDb()
    const journal = await journalWith(Array.from({ length: 25 }, () => sampleCdr()))
    const writer = new CdrWriter({ journal, db: d.db, insert: insertInto(d, path), clock, log, batchSize: 10 })
    expect(await writer.drainOnce()).toEqual({ kind: 'written', records: 10, more: true })
    expect(await rowCount(d)).toBe(10)
    writer.start()
    // Each full batch re-arms a zero-delay timer; pump the manual clock a bounded number of times.
    for (let i = 0; i < 20 && (await rowCount(d)) < 25; i++) {
      clock.advance(0)
      await writer.settled()
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    expect(await rowCount(d)).toBe(25)
    await writer.stop()
  })

  it('sets a record the database refuses aside in rejected.ndjson and writes the rest', async () => {
    const d = await fileDb()
    const bad = { ...sampleCdr(), caller: null } as unknown as CdrRecord
    const journal = await journalWith([sampleCdr(), bad, sampleCdr()])
    const writer = new CdrWriter({ journal, db: d.db, insert: insertInto(d, path), clock, log })
    expect(await writer.drainOnce()).toMatchObject({ kind: 'written', records: 3 })
    expect(await rowCount(d)).toBe(2)
    const rejected = (await readFile(join(dir, 'cdr-journal', 'rejected.ndjson'), 'utf8')).trim().split('\n')
    expect(rejected).toHaveLength(1)
    expect(JSON.parse(rejected[0]!).record.id).toBe(bad.id)
  })

})

describe('CdrWriter', () => {
  it('loses no CDR when the database is down and writes them after it returns', async () => {
    const sqld = await startSqld()
    cleanups.push(() => sqld.dispose())
    const remote = openDatabase({ url: sqld.url })
    cleanups.push(() => remote.close())
    await applyMigrations(remote.db)
    await sqld.stop()

    const records = Array.from({ length: 40 }, () => sampleCdr())
    const journal = await journalWith(records)
    const before = journal.checkpoint
    const writer = new CdrWriter({ journal, db: remote.db, clock, log, batchSize: 500, backoffInitialMs: 250 })
    const retries: number[] = []
    for (let i = 0; i < 4; i++) {
      const r = await writer.drainOnce()
      if (r.kind !== 'failed') throw new Error(`expected a failure while sqld is down, got ${r.kind}`)
      retries.push(r.retryInMs)
    }
    expect(retries).toEqual([250, 500, 1000, 2000])
    expect(journal.checkpoint).toEqual(before)
    expect(lines.filter((l) => l['msg'] === 'cdr writer cannot reach the database; records stay in the journal')).toHaveLength(1)

    await sqld.start()
    writer.start()
    clock.advance(0)
    await writer.settled()
    expect(await rowCount(remote)).toBe(40)
    expect(writer.consecutiveFailures).toBe(0)
    expect(lines.some((l) => l['msg'] === 'cdr writer resumed')).toBe(true)
    expect(await writer.drainOnce()).toEqual({ kind: 'idle' })
    await writer.stop()
  })

  it('runs the client path\'s connection pragmas in the transaction of every batch, with charges or without', async () => {
    const d = await fileDb()
    const journal = await journalWith([sampleCdr({ cost: null }), sampleCdr({ cost: 0.5 })])
    // user_version is written in the file, so it shows that the batch ran the pragma (connection pragmas leave no trace).
    const writer = new CdrWriter({ journal, db: d.db, clock, log, batchSize: 1, insert: clientCdrInsert(d.client, ['pragma user_version = 7']) })
    const version = async (): Promise<unknown> => (await d.client.execute('pragma user_version')).rows[0]?.[0]
    expect(await writer.drainOnce()).toMatchObject({ kind: 'written', records: 1 })
    expect(await version()).toBe(7)
    await d.client.execute('pragma user_version = 0')
    expect(await writer.drainOnce()).toMatchObject({ kind: 'written', records: 1 })
    expect(await version()).toBe(7)
    expect(await rowCount(d)).toBe(2)
    expect((await d.client.execute('select count(*) from billed_cdrs')).rows[0]?.[0]).toBe(1)
  })

})
