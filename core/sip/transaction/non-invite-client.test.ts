// Covers the non-INVITE client transaction of RFC 3261 §17.1.2 (Timer E doubling capped at T2, T2 in proceeding, Timers F and K) and §17.1.4.
import { afterEach, describe, expect, it } from 'vitest'
import { isReq, makeStack, peerResponse, RecordingTu, startClient, type Stack } from './test-support/loop-stack.js'

let s: Stack
afterEach(() => {
  expect(s.net.userErrors).toEqual([])
})

describe('NonInviteClientTransaction', () => {
  describe('in trying', () => {
    it('retransmits OPTIONS with Timer E doubling and capped at T2, then reports 408 on Timer F with 11 sends', () => {
      s = makeStack()
      const tu = new RecordingTu()
      startClient(s, 'OPTIONS', tu)
      s.clock.advance(32_000)
      expect(s.times(isReq('OPTIONS'))).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500])
      expect(tu.failures).toEqual([{ status: 408, reason: 'Request Timeout', timer: 'F' }])
      expect(s.layer.size).toBe(0)
      expect(s.clock.pending).toBe(0)
    })
  })

  describe('in proceeding', () => {
    it('retransmits every T2 after a 1xx and still times out on Timer F', () => {
      s = makeStack()
      const tu = new RecordingTu()
      const tx = startClient(s, 'OPTIONS', tu)
      s.clock.advance(600)
      s.send(peerResponse(tx.request, 100, 'Trying'))
      s.clock.advance(32_000 - 600)
      expect(tx.state).toBe('terminated')
      // 0, 500 in trying; the 1500 timer (armed at 500 in trying) fires in proceeding; then T2 steps.
      expect(s.times(isReq('OPTIONS'))).toEqual([0, 500, 1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500])
      expect(tu.responses).toEqual([100])
      expect(tu.failures.map((f) => f.status)).toEqual([408])
    })
  })

  describe('in completed', () => {
    it('passes the final once, absorbs retransmissions for Timer K (T4) and then forgets the transaction', () => {
      s = makeStack()
      const tu = new RecordingTu()
      const tx = startClient(s, 'OPTIONS', tu)
      const req = tx.request
      s.send(peerResponse(req, 200, 'OK'))
      s.clock.advance(100)
      s.send(peerResponse(req, 200, 'OK'))
      s.clock.advance(4899)
      expect(tx.state).toBe('completed')
      expect(tu.responses).toEqual([200])
      s.clock.advance(1)
      expect(s.layer.size).toBe(0)
      expect(s.times(isReq('OPTIONS'))).toEqual([0])
    })
  })

  it('reports 503 when a retransmission cannot be sent', () => {
    s = makeStack()
    const tu = new RecordingTu()
    startClient(s, 'OPTIONS', tu)
    s.clock.advance(100)
    s.net.failSends(() => 'ENETUNREACH')
    s.clock.advance(400)
    expect(tu.failures).toHaveLength(1)
    expect(tu.failures[0]).toMatchObject({ status: 503, transport: { code: 'ENETUNREACH' } })
    expect(s.layer.size).toBe(0)
  })
})
