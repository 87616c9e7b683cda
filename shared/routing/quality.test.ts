// Covers rolling quality: ASR, ACD and PDD per (gateway, route prefix) over the last N attempts within M minutes, the same figures whether fed every call or only the window's (core vs edge), bounded keys, judgement and score.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { judgeQuality, MAX_QUALITY_KEYS, qualityScore, RollingQuality, type QualityCdr, type QualityParams } from './quality.js'

const PARAMS: QualityParams = {
  SS_ROUTE_QUALITY_WINDOW_CALLS: 5, SS_ROUTE_QUALITY_WINDOW_MINUTES: 10, SS_ROUTE_QUALITY_MIN_CALLS: 3,
  SS_ROUTE_ASR_MIN_PERCENT: 40, SS_ROUTE_PDD_MAX_MS: 4000,
}
const MIN = 60_000
const T0 = Date.UTC(2024, 0, 1)

/** A call that ended at `t` whose only attempt went to gw/prefix: answered for `talk` s, or failed (talk null). */
function call(t: number, talk: number | null, pddMs: number | null = 1000, gw = 'A', prefix = '33'): QualityCdr {
  return {
    endedAtMs: t, answeredAtMs: talk === null ? null : t - talk * 1000, durationSec: talk ?? 0,
    attempts: [{ routingGatewayId: gw, matchedPrefix: prefix, sipCode: talk === null ? 503 : 200, pddMs }],
  }
}

describe('RollingQuality', () => {
  it('gives ASR, ACD (answered calls only) and PDD (calls that had one) over the window', () => {
    const q = new RollingQuality(() => PARAMS)
    q.record(call(T0, 30, 2000))
    q.record(call(T0 + 1, null, null))
    q.record(call(T0 + 2, 90, 4000))
    q.record(call(T0 + 3, null, 3000))
    expect(q.figures('A', '33', T0 + 4)).toEqual({ calls: 4, answered: 2, asr: 0.5, acdSec: 60, pddMs: 3000 })
  })

  it('gives the same figures by a routing table gateway index as by gateway id, for gateways first fed before or after the table was read', () => {
    const q = new RollingQuality(() => PARAMS)
    const table = { gateways: [{ config: { id: 'B' } }, { config: { id: 'A' } }], indexOf: new Map([['B', 0], ['A', 1]]) }
    q.record(call(T0, 30, 2000, 'A'))
    expect(q.figuresAt(table, 0, '33', T0 + 1)).toBeUndefined()
    q.record(call(T0 + 1, null, 1000, 'B'))
    q.record(call(T0 + 2, 60, 1000, 'A'))
    expect(q.figuresAt(table, 1, '33', T0 + 3)).toEqual(q.figures('A', '33', T0 + 3))
    expect(q.figuresAt(table, 0, '33', T0 + 3)).toEqual({ calls: 1, answered: 0, asr: 0, acdSec: null, pddMs: 1000 })
    expect(q.figuresAt(table, 1, '44', T0 + 3)).toBeUndefined()
  })

  it('keeps only the last SS_ROUTE_QUALITY_WINDOW_CALLS attempts', () => {
    const q = new RollingQuality(() => PARAMS)
    for (let i = 0; i < 5; i++) q.record(call(T0 + i, null))
    for (let i = 5; i < 8; i++) q.record(call(T0 + i, 10))
    expect(q.figures('A', '33', T0 + 8)).toMatchObject({ calls: 5, answered: 3, asr: 0.6 })
  })

  it('drops attempts of calls that ended more than SS_ROUTE_QUALITY_WINDOW_MINUTES ago', () => {
    const q = new RollingQuality(() => PARAMS)
    q.record(call(T0, null))
    q.record(call(T0 + 5 * MIN, 20))
    expect(q.figures('A', '33', T0 + 10 * MIN)).toMatchObject({ calls: 2 })
    expect(q.figures('A', '33', T0 + 10 * MIN + 1)).toMatchObject({ calls: 1, asr: 1 })
    expect(q.figures('A', '33', T0 + 15 * MIN + 1)).toBeUndefined()
  })

  it('keeps every gateway and route prefix apart, and counts every attempt of a failed-over call', () => {
    const q = new RollingQuality(() => PARAMS)
    q.record({
      endedAtMs: T0, answeredAtMs: T0 - 5000, durationSec: 5,
      attempts: [
        { routingGatewayId: 'A', matchedPrefix: '33', sipCode: 503, pddMs: null },
        { routingGatewayId: 'B', matchedPrefix: '33', sipCode: 200, pddMs: 800 },
        { routingGatewayId: 'A', sipCode: 486 },
      ],
    })
    expect(q.figures('A', '33', T0)).toEqual({ calls: 1, answered: 0, asr: 0, acdSec: null, pddMs: null })
    expect(q.figures('B', '33', T0)).toEqual({ calls: 1, answered: 1, asr: 1, acdSec: 5, pddMs: 800 })
    expect(q.figures('A', '3', T0)).toBeUndefined()
    expect(q.size).toBe(2)
  })

  it('follows a smaller window at once when the parameters change', () => {
    let p = PARAMS
    const q = new RollingQuality(() => p)
    for (let i = 0; i < 5; i++) q.record(call(T0 + i, i < 2 ? 10 : null))
    p = { ...PARAMS, SS_ROUTE_QUALITY_WINDOW_CALLS: 2 }
    expect(q.figures('A', '33', T0 + 5)).toMatchObject({ calls: 2, answered: 0 })
  })

  it('gives the same figures fed every call (the core) as fed only the calls that ended within the window (the edge)', () => {
    const p = { ...PARAMS, SS_ROUTE_QUALITY_WINDOW_CALLS: 7, SS_ROUTE_QUALITY_WINDOW_MINUTES: 3 }
    const sample = fc.record({ gap: fc.integer({ min: 0, max: 90_000 }), talk: fc.option(fc.integer({ min: 0, max: 600 })), pdd: fc.option(fc.integer({ min: 0, max: 20_000 })), gw: fc.constantFrom('A', 'B') })
    fc.assert(fc.property(fc.array(sample, { maxLength: 60 }), fc.integer({ min: 0, max: 200_000 }), (samples, after) => {
      let t = T0
      const cdrs = samples.map((s) => call((t += s.gap), s.talk, s.pdd, s.gw))
      const now = t + after
      const core = new RollingQuality(() => p)
      for (const c of cdrs) core.record(c)
      const edge = new RollingQuality(() => p)
      for (const c of cdrs) if (c.endedAtMs >= now - 3 * MIN) edge.record(c)
      for (const gw of ['A', 'B']) expect(core.figures(gw, '33', now)).toEqual(edge.figures(gw, '33', now))
    }))
  })

  it(`holds at most ${MAX_QUALITY_KEYS} keys, dropping the least recently fed`, () => {
    const q = new RollingQuality(() => PARAMS)
    for (let i = 0; i <= MAX_QUALITY_KEYS; i++) q.record(call(T0 + i, 10, null, `g${i}`))
    expect(q.size).toBeLessThanOrEqual(MAX_QUALITY_KEYS)
    expect(q.figures('g0', '33', T0 + MAX_QUALITY_KEYS)).toBeUndefined()
    expect(q.figures(`g${MAX_QUALITY_KEYS}`, '33', T0 + MAX_QUALITY_KEYS)).toMatchObject({ calls: 1 })
  })
})

describe('judgeQuality and qualityScore', () => {
  const f = (calls: number, answered: number, pddMs: number | null = 1000) => ({ calls, answered, asr: answered / calls, acdSec: 30, pddMs })

  it.each([
    ['no figures', undefined, 'unjudged'],
    ['fewer calls than SS_ROUTE_QUALITY_MIN_CALLS', f(2, 0), 'unjudged'],
    ['ASR under SS_ROUTE_ASR_MIN_PERCENT', f(10, 3), 'lowAsr'],
    ['ASR exactly at the minimum', f(10, 4), 'healthy'],
    ['PDD over SS_ROUTE_PDD_MAX_MS', f(10, 9, 4001), 'highPdd'],
    ['PDD exactly at the maximum', f(10, 9, 4000), 'healthy'],
  ] as const)('judges %s as %s', (_name, figures, verdict) => {
    expect(judgeQuality(figures, PARAMS)).toBe(verdict)
  })

  it('ignores PDD when SS_ROUTE_PDD_MAX_MS is 0', () => {
    expect(judgeQuality(f(10, 9, 60_000), { ...PARAMS, SS_ROUTE_PDD_MAX_MS: 0 })).toBe('healthy')
  })

  it('scores ASR in 5% steps, scaled down by excess PDD, and an unjudged gateway 1', () => {
    expect(qualityScore(f(10, 7), PARAMS)).toBe(0.7)
    expect(qualityScore(f(100, 63), PARAMS)).toBe(0.6)
    expect(qualityScore(f(10, 10, 8000), PARAMS)).toBe(0.5)
    expect(qualityScore(f(2, 0), PARAMS)).toBe(1)
    expect(qualityScore(undefined, PARAMS)).toBe(1)
  })
})
