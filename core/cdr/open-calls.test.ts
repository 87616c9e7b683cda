// Covers the open-calls journal: what a previous run left open or closed, torn last lines, and compaction only once every closed call's CDR is durable in the CDR segment.
import { appendFile, mkdir, mkdtemp, readFile, rm, rmdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createLogger, type Logger } from '../lib/log.js'
import { CdrJournal } from './journal.js'
import { OpenCallJournal } from './open-calls.js'
import type { CdrRecord } from './record.js'
import { sampleCall, sampleCdr } from './test-support/records.js'

let dir: string
let lines: Record<string, unknown>[]
let log: Logger

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'softswitch-open-calls-'))
  lines = []
  log = createLogger({ level: 'debug', sink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) })
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('OpenCallJournal', () => {
  it('recovers calls opened and not closed, with answer facts, skipping a torn last line', async () => {
    const j = await OpenCallJournal.open(dir, log)
    const a = sampleCall()
    const b = sampleCall()
    const c = sampleCall()
    await j.markOpen(a, 1000)
    await j.markOpen(b, 1000)
    await j.markOpen(c, 1000)
    await j.markAnswered(a.id, { answeredAtMs: 2000, routingGatewayId: 'rg1', calleeOut: null, pddMs: 500 }, 2000)
    await j.markClosed(sampleCdr({ id: c.id }), 3000)
    await j.close()
    await appendFile(join(dir, 'open-calls.ndjson'), '{"op":"close","atMs":4000,"id":"' + a.id.slice(0, 5))

    const next = await OpenCallJournal.open(dir, log)
    const recovered = [...next.recovered].sort((x, y) => (x.call.id < y.call.id ? -1 : 1))
    expect(recovered.map((r) => r.call.id)).toEqual([a.id, b.id].sort())
    expect(recovered.find((r) => r.call.id === a.id)?.answer?.answeredAtMs).toBe(2000)
    expect(recovered[0]!.lastKnownAtMs).toBeGreaterThanOrEqual(3000)
    expect(lines.some((l) => l['msg'] === 'torn or corrupt open-calls journal line skipped')).toBe(true)

    // New lines start on a fresh line, so the torn one cannot swallow them.
    const d = sampleCall()
    await next.markOpen(d, 5000)
    await next.close()
    const again = await OpenCallJournal.open(dir, log)
    expect(again.recovered.map((r) => r.call.id)).toContain(d.id)
    await again.close()
  })

  it('keeps only this run\'s open calls on disk after forgetRecovered()', async () => {
    const j = await OpenCallJournal.open(dir, log)
    await j.markOpen(sampleCall(), 1000)
    await j.close()
    const next = await OpenCallJournal.open(dir, log)
    const live = sampleCall()
    await next.markOpen(live, 2000)
    await next.forgetRecovered()
    expect(next.recovered).toEqual([])
    await next.close()
    const text = await readFile(join(dir, 'open-calls.ndjson'), 'utf8')
    const opens = text.trim().split('\n').map((l) => JSON.parse(l) as { op: string; call?: { id: string } }).filter((l) => l.op === 'open')
    expect(opens.map((l) => l.call?.id)).toEqual([live.id])
  })

  it('keeps journaling calls after a compaction that could not rewrite its file', async () => {
    const j = await OpenCallJournal.open(dir, log)
    const before = sampleCall()
    await j.markOpen(before, 1000)
    // The rewrite goes through `<file>.tmp`: a folder of that name makes it fail.
    await mkdir(join(dir, 'open-calls.ndjson.tmp'))
    await expect(j.forgetRecovered()).rejects.toThrow()
    const after = sampleCall()
    await j.markOpen(after, 2000)
    await j.markClosed(sampleCdr({ id: before.id }), 3000)
    await rmdir(join(dir, 'open-calls.ndjson.tmp'))
    await j.close()
    const next = await OpenCallJournal.open(dir, log)
    expect(next.recovered.map((r) => r.call.id)).toEqual([after.id])
    await next.close()
  })
})

describe('OpenCallJournal with the CDR segment', () => {
  const lineOps = async (): Promise<string[]> =>
    (await readFile(join(dir, 'open-calls.ndjson'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { op: string }).op)

  async function segmentIds(): Promise<string[]> {
    const reader = await CdrJournal.open({ dir, log, role: 'read' })
    reader.seal()
    const ids: string[] = []
    for await (const r of reader.replay()) ids.push(r.id)
    await reader.close()
    return ids
  }

  it('keeps each CDR in its close line, durable before the segment commits it, and recovers it after a crash', async () => {
    // A segment that commits once an hour at most: after its first commit, copies stay queued in memory.
    const segment = await CdrJournal.open({ dir, log, role: 'append', commitWindowMs: 3_600_000 })
    const j = await OpenCallJournal.open(dir, log, segment)
    const first = sampleCdr()
    await j.markClosed(first, 1000)
    await segment.flush()
    const later: CdrRecord[] = [sampleCdr(), sampleCdr()]
    for (const c of later) await j.markOpen(sampleCall({ id: c.id }), 2000)
    await Promise.all(later.map((c) => j.markClosed(c, 3000)))
    // The kill comes now: the segment holds the first CDR only, the close lines every one.
    expect(await segmentIds()).toEqual([first.id])
    const next = await OpenCallJournal.open(dir, log)
    expect(next.recovered).toEqual([])
    expect(next.recoveredClosed).toEqual([first, ...later])
    await next.forgetRecovered()
    expect(next.recoveredClosed).toEqual([])
    await next.close()
    expect(await lineOps()).toEqual(['alive'])
  })

  it('commits every copy in the segment before a compaction drops the close lines', async () => {
    const segment = await CdrJournal.open({ dir, log, role: 'append', commitWindowMs: 3_600_000 })
    const j = await OpenCallJournal.open(dir, log, segment)
    const live = sampleCall()
    await j.markOpen(live, 1000)
    const ended = Array.from({ length: 50 }, () => sampleCdr())
    await j.markClosed(ended[0]!, 1500)
    await segment.flush()
    // The segment's next commit is an hour away: these copies wait in memory.
    await Promise.all(ended.slice(1).map((c) => j.markClosed(c, 2000)))
    expect((await lineOps()).filter((op) => op === 'close')).toHaveLength(50)
    expect(await segmentIds()).toEqual([ended[0]!.id])
    await j.close()
    // The close compacted: only the call still open is left, and the segment holds every CDR.
    expect(await lineOps()).toEqual(['open', 'alive'])
    expect((await segmentIds()).sort()).toEqual(ended.map((c) => c.id).sort())
    await segment.close()
    const next = await OpenCallJournal.open(dir, log)
    expect([next.recovered.map((r) => r.call.id), next.recoveredClosed]).toEqual([[live.id], []])
    await next.close()
  })
})
