// Covers the RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2 timer table and RFC 6026 §8.4/§8.7 Timers L and M.
import { describe, expect, it } from 'vitest'
import { rfcTimers, TimerParamsError } from './timers.js'

describe('rfcTimers', () => {
  it('derives the RFC 3261 Table 4 UDP values from T1=500, T2=4000, T4=5000', () => {
    expect(rfcTimers()).toEqual({
      T1: 500, T2: 4000, T4: 5000,
      A: 500, B: 32_000, D: 32_000, E: 500, F: 32_000, G: 500, H: 32_000, I: 5000, J: 32_000, K: 5000, L: 32_000, M: 32_000,
    })
  })

  it('uses zero for A/E/G and D/I/J/K on reliable transports but keeps the 64*T1 timeouts', () => {
    const t = rfcTimers({}, true)
    expect([t.A, t.E, t.G, t.D, t.I, t.J, t.K]).toEqual([0, 0, 0, 0, 0, 0, 0])
    expect([t.B, t.F, t.H, t.L, t.M]).toEqual([32_000, 32_000, 32_000, 32_000, 32_000])
  })

  it('scales with T1 and keeps Timer D at least 32 s', () => {
    const fast = rfcTimers({ T1: 100, T2: 400, T4: 1000 })
    expect(fast.B).toBe(6400)
    expect(fast.D).toBe(32_000)
    expect(rfcTimers({ T1: 1000, T2: 4000 }).D).toBe(64_000)
  })

  it('rejects T2 below T1 with TimerParamsError', () => {
    expect(() => rfcTimers({ T1: 500, T2: 100 })).toThrow(TimerParamsError)
  })
})
