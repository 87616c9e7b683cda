// When a worker's limits link writes to its primary: a take someone waits for at the end of its turn, counted takes and gives-back within the record span.
import { describe, expect, it } from 'vitest'
import { Metrics } from '../lib/metrics.js'
import type { LimitBatch } from './ipc.js'
import { PrimaryLimitsLink } from './limits-link.js'

const COUNTED = [0, 0]
const LIMITED = [0, 1, 5]

function link(spanMs: number): { link: PrimaryLimitsLink; sent: LimitBatch[] } {
  const sent: LimitBatch[] = []
  return { link: new PrimaryLimitsLink((b) => (sent.push(b), true), new Metrics(), spanMs), sent }
}

async function turns(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise(setImmediate)
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((ok) => setTimeout(ok, 5))
}

describe('PrimaryLimitsLink', () => {
  it('holds counted takes and gives-back for the record span, then sends them in one message', async () => {
    const { link: l, sent } = link(50)
    const a = l.hold()
    const b = l.hold()
    expect(l.take(['{ss}:c:m:mg'], COUNTED, a)).toBeUndefined()
    expect(l.take(['{ss}:c:r:rg'], COUNTED, b)).toBeUndefined()
    l.release(a)
    await turns()
    expect(sent).toHaveLength(0)
    await until(() => sent.length > 0)
    expect(sent).toEqual([{ records: [[a.id, ['{ss}:c:m:mg'], COUNTED], [b.id, ['{ss}:c:r:rg'], COUNTED]], takes: [], releases: [a.id] }])
  })

  it('sends a take someone waits for at the end of its turn, with the counted takes and gives-back before it', async () => {
    const { link: l, sent } = link(60_000)
    const counted = l.hold()
    l.take(['{ss}:c:m:mg'], COUNTED, counted)
    l.release(counted)
    const waited = l.hold()
    const answer = l.take(['{ss}:c:r:rg'], LIMITED, waited)
    expect(answer).toBeInstanceOf(Promise)
    await turns()
    expect(sent).toEqual([{ records: [[counted.id, ['{ss}:c:m:mg'], COUNTED]], takes: [[waited.id, ['{ss}:c:r:rg'], LIMITED]], releases: [counted.id] }])
    l.answered([[waited.id!, [1]]])
    await expect(answer).resolves.toEqual([1])
  })

  it('sends everything at the end of the turn when the record span is 0', async () => {
    const { link: l, sent } = link(0)
    const h = l.hold()
    l.take(['{ss}:c:m:mg'], COUNTED, h)
    await turns()
    expect(sent).toHaveLength(1)
  })
})
