// Covers one gateway's OPTIONS check state: hysteresis counts, the loss window and the RTT of the last answer.
import { describe, expect, it } from 'vitest'
import { PROBE_WINDOW, ProbeState } from './probe-state.js'

const H = { failuresToOffline: 3, successesToOnline: 2 }
const ok = (rttMs: number) => ({ ok: true as const, rttMs, status: 200 })
const lost = { ok: false as const, why: 'timeout' as const }

describe('ProbeState', () => {
  it('needs failuresToOffline consecutive failures to go offline; an answer in between resets the count', () => {
    const s = new ProbeState()
    expect([s.record(lost, 1, H), s.record(lost, 2, H), s.record(ok(5), 3, H), s.record(lost, 4, H), s.record(lost, 5, H)]).toEqual([null, null, null, null, null])
    expect(s.record(lost, 6, H)).toBe('offline')
    expect(s.record(lost, 7, H)).toBeNull()
  })

  it('needs successesToOnline consecutive answers to come back', () => {
    const s = new ProbeState()
    for (let i = 0; i < 3; i++) s.record(lost, i, H)
    expect(s.record(ok(4.6), 10, H)).toBeNull()
    expect(s.record(ok(7.2), 11, H)).toBe('online')
    expect(s).toMatchObject({ online: true, rttMs: 7, lastCode: 200, lastCheckAtMs: 11 })
  })

  it('reports loss over the last PROBE_WINDOW checks only', () => {
    const s = new ProbeState()
    expect(s.lossRatio).toBeNull()
    for (let i = 0; i < PROBE_WINDOW; i++) s.record(lost, i, H)
    expect(s.lossRatio).toBe(1)
    for (let i = 0; i < PROBE_WINDOW / 2; i++) s.record(ok(3), i, H)
    expect(s.lossRatio).toBe(0.5)
    expect(s.recentRttMs).toHaveLength(PROBE_WINDOW / 2)
  })
})
