// Covers NodeQuality: a worker's finished calls reach the other workers' quality windows, batched, and only while quality routing is on.
import { describe, expect, it } from 'vitest'
import { NodeQuality, QUALITY_SHARE_MS, type QualityRow } from './node-quality.js'
import type { QualityCdr } from '../../shared/routing/quality.js'

const params = (mode: string) => () => ({ SS_ROUTE_QUALITY_WINDOW_CALLS: 10, SS_ROUTE_QUALITY_WINDOW_MINUTES: 60, SS_GATEWAY_ASR_ROUTE_SORT_CONFIG: mode })

function call(endedAtMs: number, sipCode: number | null): QualityCdr {
  return {
    endedAtMs: T0 + endedAtMs, answeredAtMs: sipCode === 200 ? T0 + endedAtMs - 500 : null, durationSec: sipCode === 200 ? 0.5 : 0,
    attempts: [{ routingGatewayId: 'rgw_b', matchedPrefix: '33', sipCode, pddMs: sipCode === null ? null : 120 }, { routingGatewayId: 'rgw_old', sipCode: 503 }],
  }
}

const T0 = Date.UTC(2026, 11, 5, 12)
const wait = (ms: number) => new Promise((ok) => setTimeout(ok, ms))

describe('NodeQuality', () => {
  it("judges a vendor on both workers' calls: the other worker's finished calls count in this one's window", async () => {
    const sent: QualityRow[][] = []
    const a = new NodeQuality(params('demote'), (rows) => sent.push(rows))
    const b = new NodeQuality(params('demote'), () => {})
    a.record(call(1_000, 503))
    a.record(call(2_000, null))
    a.record(call(3_000, 200))
    expect(sent).toEqual([])
    await wait(QUALITY_SHARE_MS + 50)
    expect(sent).toHaveLength(1)
    b.record(call(2_500, 200))
    b.recordShared(sent[0]!)
    expect(b.figures('rgw_b', '33', T0 + 4_000)).toMatchObject({ calls: 4, answered: 2, asr: 0.5, pddMs: 120 })
    expect(a.figures('rgw_b', '33', T0 + 4_000)).toMatchObject({ calls: 3, answered: 1 })
    // Only what quality counts travels: the attempt without a matched prefix stays behind.
    expect(sent[0]!.every(([, , , attempts]) => attempts.every(([gw]) => gw === 'rgw_b'))).toBe(true)
  })

  it('passes nothing on while quality routing is off, and still counts its own calls', async () => {
    const sent: QualityRow[][] = []
    const a = new NodeQuality(params('off'), (rows) => sent.push(rows))
    a.record(call(1_000, 200))
    a.flush()
    await wait(QUALITY_SHARE_MS + 50)
    expect(sent).toEqual([])
    expect(a.figures('rgw_b', '33', T0 + 2_000)).toMatchObject({ calls: 1, answered: 1 })
  })
})
