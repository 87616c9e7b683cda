// The primary's CDR collector over real journal folders and a real libSQL file: every worker's CDRs reach the database, a dead worker's open calls become SystemShutdown, and a node run as one process again empties what its workers left.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cdrs } from '../../shared/db/schema.js'
import { applyMigrations, openDatabase, type Database } from '../../shared/db/node/database.js'
import { SystemClock } from '../lib/clock.js'
import { createLogger } from '../lib/log.js'
import { CdrCollector, workerFolders, workerJournalDir } from './collector.js'
import { CdrSink } from './sink.js'
import { sampleCall, sampleCdr } from './test-support/records.js'

const log = createLogger({ sink: () => {} })

describe('CdrCollector', () => {
  let dir: string
  let database: Database
  let clock: SystemClock

  beforeEach(async () => {
    clock = new SystemClock()
    dir = await mkdtemp(join(tmpdir(), 'softswitch-collector-'))
    database = openDatabase({ url: pathToFileURL(join(dir, 'core.db')).href })
    await applyMigrations(database.db)
  })
  afterEach(async () => {
    clock.stop()
    database.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** A worker's sink: it only journals into its own folder. */
  const worker = (index: number): Promise<CdrSink> => CdrSink.open({ dataDir: dir, dir: workerJournalDir(dir, index), clock, log })

  async function rowsFor(ids: readonly string[], timeoutMs = 10_000): Promise<Map<string, string>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const rows = await database.db.select({ id: cdrs.id, reason: cdrs.terminationReason }).from(cdrs)
      const found = new Map(rows.filter((r) => ids.includes(r.id)).map((r) => [r.id, r.reason]))
      if (found.size === ids.length || Date.now() > deadline) return found
      await new Promise((ok) => setTimeout(ok, 20))
    }
  }

  it("writes what every worker journals while the workers keep appending, and closes a dead worker's open calls as SystemShutdown before it starts again", async () => {
    const collector = await CdrCollector.open({ dataDir: dir, db: database.db, clock, log, writer: { intervalMs: 10 } })
    await collector.prepare(0)
    await collector.prepare(1)
    const [w0, w1] = [await worker(0), await worker(1)]
    w0.journal.onAppend = (bytes, atMs) => collector.noteAppended(0, 1, bytes, atMs)
    w1.journal.onAppend = (bytes, atMs) => collector.noteAppended(1, 1, bytes, atMs)
    const ended = Array.from({ length: 20 }, (_, i) => sampleCdr({ id: `cdr_${i}` }))
    await Promise.all(ended.map((r, i) => (i % 2 === 0 ? w0 : w1).onCallEnded(r)))
    const up = sampleCall()
    await w1.onCallStarted(up)
    expect([...(await rowsFor(ended.map((r) => r.id))).keys()].sort()).toEqual(ended.map((r) => r.id).sort())

    // Worker 1 dies without closing anything; before it starts again its open call becomes a CDR.
    await collector.prepare(1)
    expect((await rowsFor([up.id])).get(up.id)).toBe('SystemShutdown')
    expect(collector.recoveredCalls).toBe(1)
    await w0.close(clock.now() + 1000)
    expect(await collector.close(clock.now() + 5_000)).toBe(true)
    expect(collector.backlogRecords).toBe(0)
  })

  it("writes once the CDRs a dead worker's close lines hold and its segment never committed", async () => {
    const collector = await CdrCollector.open({ dataDir: dir, db: database.db, clock, log, writer: { intervalMs: 10 } })
    await collector.prepare(2)
    // The worker's segment commits at once, then not for an hour: later CDRs are durable only in close lines.
    const w = await CdrSink.open({ dataDir: dir, dir: workerJournalDir(dir, 2), clock, log, segmentCommitWindowMs: 3_600_000 })
    const first = sampleCdr()
    await w.onCallEnded(first)
    await w.journal.flush()
    expect((await rowsFor([first.id])).size).toBe(1)
    const later = Array.from({ length: 10 }, () => sampleCdr())
    await Promise.all(later.map((r) => w.onCallEnded(r)))
    // The worker dies (nothing closed); before it starts again its close lines are read.
    await collector.prepare(2)
    const ids = [first.id, ...later.map((r) => r.id)]
    expect([...(await rowsFor(ids)).keys()].sort()).toEqual(ids.sort())
    expect(collector.recoveredCalls).toBe(0)
    expect(await collector.close(clock.now() + 5_000)).toBe(true)
    expect(await database.db.select().from(cdrs)).toHaveLength(ids.length)
  })

  it('empties the folders of an earlier run with workers when the node runs as one process', async () => {
    const w = await worker(3)
    const left = sampleCdr()
    const open = sampleCall()
    await w.onCallEnded(left)
    await w.onCallStarted(open)
    expect(workerFolders(dir)).toEqual([3])
    const leftovers = await CdrCollector.open({ dataDir: dir, db: database.db, clock, log, leftovers: true, writer: { intervalMs: 10 } })
    const rows = await rowsFor([left.id, open.id])
    expect(rows.get(open.id)).toBe('SystemShutdown')
    expect(rows.has(left.id)).toBe(true)
    expect(await leftovers.close(clock.now() + 5_000)).toBe(true)
    expect(await database.db.select().from(cdrs).where(eq(cdrs.id, left.id))).toHaveLength(1)
  })
})
