// Covers the CDR write-ahead journal: fsync before resolve with group commit, segment rotation, checkpoint and torn tails.
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createLogger, type Logger } from '../lib/log.js'
import { CdrJournal, segmentName } from './journal.js'
import { sampleCdr } from './test-support/records.js'
import type { CdrRecord } from './record.js'

let dir: string
let lines: Record<string, unknown>[]
let log: Logger

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'softswitch-cdr-journal-'))
  lines = []
  log = createLogger({ level: 'debug', sink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) })
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function all(j: CdrJournal): Promise<CdrRecord[]> {
  const out: CdrRecord[] = []
  for await (const r of j.replay(7)) out.push(r)
  return out
}

describe('CdrJournal', () => {
  it('counts the backlog (records, bytes, oldest append) until commits cover it, and finds it again at the next open', async () => {
    let now = 1_000_000
    const j = await CdrJournal.open({ dir, log, now: () => now })
    const records = Array.from({ length: 5 }, () => sampleCdr())
    for (const r of records) {
      await j.append(r)
      now += 1_000
    }
    const bytes = records.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)) + 1, 0)
    expect([j.backlogRecords, j.backlogBytes, j.oldestBacklogAtMs]).toEqual([5, bytes, 1_000_000])
    const first = await j.read(j.checkpoint, 2)
    await j.commit(first.end, first.records.length)
    expect([j.backlogRecords, j.backlogBytes, j.oldestBacklogAtMs]).toEqual([3, bytes - first.records.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)) + 1, 0), 1_002_000])
    await j.close()
    const again = await CdrJournal.open({ dir, log })
    expect([again.replayedAtOpen, again.backlogRecords]).toEqual([3, 3])
    // after a restart the age is the records' own end time (journaled right after the call ended)
    expect(again.oldestBacklogAtMs).toBe(records[2]!.endedAtMs)
    const rest = await again.read(again.checkpoint, 10)
    await again.commit(rest.end, rest.records.length)
    expect([again.backlogRecords, again.backlogBytes, again.oldestBacklogAtMs]).toEqual([0, 0, null])
    await again.close()
  })

  it('shares one write and one fsync among appends issued in the same tick', async () => {
    const j = await CdrJournal.open({ dir, log })
    const records = Array.from({ length: 1000 }, () => sampleCdr())
    await Promise.all(records.map((r) => j.append(r)))
    expect(j.stats.appends).toBe(1000)
    expect(j.stats.syncs).toBeLessThanOrEqual(2)
    expect(j.stats.syncs).toBe(j.stats.writes)
    expect((await all(j)).map((r) => r.id)).toEqual(records.map((r) => r.id))
    await j.close()
  })

  it('syncs once per append when appends are sequential (each waits for its own durability)', async () => {
    const j = await CdrJournal.open({ dir, log })
    for (let i = 0; i < 5; i++) await j.append(sampleCdr())
    expect(j.stats.syncs).toBe(5)
    await j.close()
  })

  it('replays everything after the checkpoint and deletes segments that are fully committed', async () => {
    const j = await CdrJournal.open({ dir, log, maxSegmentBytes: 2000 })
    const records = Array.from({ length: 30 }, () => sampleCdr())
    for (const r of records) await j.append(r)
    const segs = (await readdir(dir)).filter((n) => n.startsWith('cdr-'))
    expect(segs.length).toBeGreaterThan(3)

    const first = await j.read(j.checkpoint, 20)
    expect(first.records.map((r) => r.id)).toEqual(records.slice(0, 20).map((r) => r.id))
    await j.commit(first.end)
    expect((await all(j)).map((r) => r.id)).toEqual(records.slice(20).map((r) => r.id))
    expect((await readdir(dir)).filter((n) => n.startsWith('cdr-')).length).toBeLessThan(segs.length)
    await j.close()

    const reopened = await CdrJournal.open({ dir, log })
    expect((await all(reopened)).map((r) => r.id)).toEqual(records.slice(20).map((r) => r.id))
    await reopened.close()
  })

  it('rotates a segment once it is older than the age limit', async () => {
    let now = 0
    const j = await CdrJournal.open({ dir, log, maxSegmentAgeMs: 1000, now: () => now })
    await j.append(sampleCdr())
    now = 1500
    await j.append(sampleCdr())
    expect((await readdir(dir)).filter((n) => n.startsWith('cdr-'))).toEqual([segmentName(1), segmentName(2)])
    expect(await all(j)).toHaveLength(2)
    await j.close()
  })

  it('skips and logs a torn last line after a crash, keeping every complete record', async () => {
    const j = await CdrJournal.open({ dir, log })
    const records = [sampleCdr(), sampleCdr()]
    for (const r of records) await j.append(r)
    await j.close()
    const torn = JSON.stringify(sampleCdr())
    await appendFile(join(dir, segmentName(1)), torn.slice(0, torn.length - 40))

    const reopened = await CdrJournal.open({ dir, log })
    const more = sampleCdr()
    await reopened.append(more)
    expect((await all(reopened)).map((r) => r.id)).toEqual([...records, more].map((r) => r.id))
    expect(lines.filter((l) => String(l['msg']).startsWith('torn last line'))).toHaveLength(1)
    await reopened.close()
  })

  it('skips and logs a corrupt line in the middle of a segment', async () => {
    const j = await CdrJournal.open({ dir, log })
    await j.append(sampleCdr())
    await j.close()
    await appendFile(join(dir, segmentName(1)), '{"id": garbage}\n' + JSON.stringify(sampleCdr()) + '\n')
    const reopened = await CdrJournal.open({ dir, log })
    expect(await all(reopened)).toHaveLength(2)
    expect(lines.some((l) => l['msg'] === 'corrupt cdr journal line skipped')).toBe(true)
    await reopened.close()
  })

  it('replays every segment when the checkpoint file is unreadable', async () => {
    const j = await CdrJournal.open({ dir, log })
    await j.append(sampleCdr())
    const b = await j.read(j.checkpoint, 10)
    await j.commit(b.end)
    await j.close()
    await appendFile(join(dir, 'checkpoint.json'), 'garbage')
    const reopened = await CdrJournal.open({ dir, log })
    expect(await all(reopened)).toHaveLength(1)
    expect(lines.some((l) => String(l['msg']).startsWith('cdr journal checkpoint unreadable'))).toBe(true)
    await reopened.close()
  })
})
