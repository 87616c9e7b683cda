// Covers rolling quality: ASR, ACD and PDD per (gateway, route prefix) over the last N attempts within M minutes, the same figures whether fed every call or only the window's (core vs edge), bounded keys, judgement and score.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  judgeFigures, judgeQuality, MAX_QUALITY_KEYS, qualityScore, qualitySlot, RollingQuality, scoreFigures, type QualityCdr, type QualityFigures,
  type QualityParams, type QualitySlotTable,
} from './quality.js'

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

/** A routing table's slot layout: A has prefixes 33 and 331 (slots 0, 1), B none (slot 2, prefix ''), C 33 twice (slots 3, 4). */
const SLOT_TABLE: QualitySlotTable = {
  gateways: [
    { firstSlot: 0, config: { id: 'A', prefixes: ['33', '331'] } },
    { firstSlot: 2, config: { id: 'B', prefixes: [] } },
    { firstSlot: 3, config: { id: 'C', prefixes: ['33', '33'] } },
  ],
  indexOf: new Map([['A', 0], ['B', 1], ['C', 2]]),
  slots: 5,
}
const SLOT_KEYS = [['A', '33'], ['A', '331'], ['B', ''], ['C', '33'], ['C', '33']] as const

/** Slot `slot`'s figures as routing reads them at `now`, after checking its flat numbers say the same. */
function slotFigures(q: RollingQuality, slot: number, now: number): QualityFigures | undefined {
  const v = q.slotsAt(SLOT_TABLE, now)
  const b = qualitySlot(v, slot)
  const f = v.flat[b] === 0 ? undefined : v.figuresOf(slot)
  expect(v.flat[b]).toBe(f?.calls ?? 0)
  if (f !== undefined) expect([v.flat[b + 1], v.flat[b + 2]]).toEqual([f.asr ?? Number.NaN, f.pddMs ?? Number.NaN])
  return f
}

describe('RollingQuality by route slot', () => {
  it('gives every slot the figures of its (gateway, prefix), as calls end, as time passes and as the window changes', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('call' as const), key: fc.integer({ min: 0, max: 3 }), gap: fc.integer({ min: 0, max: 200_000 }), talk: fc.option(fc.integer({ min: 0, max: 600 })), pdd: fc.option(fc.integer({ min: 0, max: 9000 })) }),
      fc.record({ kind: fc.constant('read' as const), gap: fc.integer({ min: 0, max: 400_000 }) }),
      fc.record({ kind: fc.constant('window' as const), calls: fc.integer({ min: 1, max: 6 }), minutes: fc.integer({ min: 1, max: 12 }) }),
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      let p = PARAMS
      const bySlot = new RollingQuality(() => p)
      const byId = new RollingQuality(() => p)
      let t = T0
      for (const o of ops) {
        if (o.kind === 'window') p = { ...PARAMS, SS_ROUTE_QUALITY_WINDOW_CALLS: o.calls, SS_ROUTE_QUALITY_WINDOW_MINUTES: o.minutes }
        else if (o.kind === 'call') {
          const [gw, prefix] = SLOT_KEYS[o.key]!
          const c = call((t += o.gap), o.talk, o.pdd, gw, prefix)
          bySlot.record(c)
          byId.record(c)
        } else {
          t += o.gap
          for (let slot = 0; slot < SLOT_KEYS.length; slot++) {
            const [gw, prefix] = SLOT_KEYS[slot]!
            expect(slotFigures(bySlot, slot, t)).toEqual(byId.figures(gw, prefix, t))
          }
        }
      }
    }))
  })

  it('fills the slots of keys fed before the table was first read, and empties those of evicted keys', () => {
    const q = new RollingQuality(() => PARAMS)
    q.record(call(T0, 10, 500, 'B', ''))
    expect(slotFigures(q, 2, T0)).toEqual({ calls: 1, answered: 1, asr: 1, acdSec: 10, pddMs: 500 })
    q.record(call(T0, null, null, 'A', '331'))
    expect(slotFigures(q, 1, T0)).toEqual({ calls: 1, answered: 0, asr: 0, acdSec: null, pddMs: null })
    for (let i = 0; i < MAX_QUALITY_KEYS; i++) q.record(call(T0 + 1 + i, 10, null, `g${i}`))
    expect(slotFigures(q, 2, T0 + MAX_QUALITY_KEYS)).toBeUndefined()
    expect(slotFigures(q, 1, T0 + MAX_QUALITY_KEYS)).toBeUndefined()
    q.record(call(T0 + MAX_QUALITY_KEYS, null, 700, 'C', '33'))
    expect(slotFigures(q, 3, T0 + MAX_QUALITY_KEYS)).toMatchObject({ calls: 1, pddMs: 700 })
    expect(slotFigures(q, 4, T0 + MAX_QUALITY_KEYS)).toMatchObject({ calls: 1, pddMs: 700 })
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

  it('judge and score figures given as numbers (NaN for null) as they do the objects', () => {
    const figures = fc.record({ calls: fc.integer({ min: 1, max: 20 }), asr: fc.option(fc.double({ min: 0, max: 1, noNaN: true })), pddMs: fc.option(fc.double({ min: 0, max: 9000, noNaN: true })) })
    fc.assert(fc.property(figures, fc.integer({ min: 0, max: 6000 }), fc.integer({ min: 0, max: 5 }), (f, pddMax, minCalls) => {
      const p = { ...PARAMS, SS_ROUTE_PDD_MAX_MS: pddMax, SS_ROUTE_QUALITY_MIN_CALLS: minCalls }
      const object = { ...f, answered: 0, acdSec: null }
      expect(judgeFigures(f.calls, f.asr ?? Number.NaN, f.pddMs ?? Number.NaN, p)).toBe(judgeQuality(object, p))
      expect(scoreFigures(f.calls, f.asr ?? Number.NaN, f.pddMs ?? Number.NaN, p)).toBe(qualityScore(object, p))
    }))
  })

  it('scores ASR in 5% steps, scaled down by excess PDD, and an unjudged gateway 1', () => {
    expect(qualityScore(f(10, 7), PARAMS)).toBe(0.7)
    expect(qualityScore(f(100, 63), PARAMS)).toBe(0.6)
    expect(qualityScore(f(10, 10, 8000), PARAMS)).toBe(0.5)
    expect(qualityScore(f(2, 0), PARAMS)).toBe(1)
    expect(qualityScore(undefined, PARAMS)).toBe(1)
  })
})
