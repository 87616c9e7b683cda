// Covers the open-calls journal: what a previous run left open, torn last lines, and rewriting once recovered calls are closed.
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createLogger, type Logger } from '../lib/log.js'
import { OpenCallJournal } from './open-calls.js'
import { sampleCall } from './test-support/records.js'

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
    await j.markClosed(c.id, 3000)
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
})
