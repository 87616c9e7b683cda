// Covers the INVITE client transaction of RFC 3261 §17.1.1 (Timers A, B, D; ACK for non-2xx per §17.1.1.3) and RFC 6026 §8.4 (Accepted, Timer M).
import { afterEach, describe, expect, it } from 'vitest'
import type { InviteClientTransaction } from './invite-client.js'
import { isReq, makeStack, peerResponse, RecordingTu, startClient, type Stack } from './test-support/loop-stack.js'

let s: Stack
afterEach(() => {
  expect(s.net.userErrors).toEqual([])
})

function ict(tu = new RecordingTu()): { tx: InviteClientTransaction; tu: RecordingTu } {
  s = makeStack()
  const tx = startClient(s, 'INVITE', tu) as InviteClientTransaction
  return { tx, tu }
}

describe('InviteClientTransaction', () => {
  describe('in calling', () => {
    it('retransmits INVITE at 500, 1000, 2000 ms intervals until a 100 arrives', () => {
      const { tx, tu } = ict()
      s.clock.advance(3600)
      expect(s.times(isReq('INVITE'))).toEqual([0, 500, 1500, 3500])
      s.send(peerResponse(tx.request, 100, 'Trying'))
      s.clock.advance(60_000)
      expect(s.times(isReq('INVITE'))).toEqual([0, 500, 1500, 3500])
      expect(tx.state).toBe('proceeding')
      expect(tu.responses).toEqual([100])
    })

    it('reports 408 on Timer B after 32 s with 7 INVITEs sent, and leaves no transaction', () => {
      const { tx, tu } = ict()
      s.clock.advance(31_999)
      expect(tu.failures).toEqual([])
      s.clock.advance(1)
      expect(s.times(isReq('INVITE'))).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500])
      expect(tu.failures).toEqual([{ status: 408, reason: 'Request Timeout', timer: 'B' }])
      expect(tx.state).toBe('terminated')
      expect(s.layer.size).toBe(0)
      expect(s.clock.pending).toBe(0)
    })

    it('reports 503 and terminates when the transport cannot send the INVITE', () => {
      s = makeStack()
      s.net.failSends(() => 'EHOSTUNREACH')
      const tu = new RecordingTu()
      startClient(s, 'INVITE', tu)
      s.clock.flush()
      expect(tu.failures).toHaveLength(1)
      expect(tu.failures[0]!.status).toBe(503)
      expect(s.layer.size).toBe(0)
      s.clock.advance(40_000)
      expect(tu.failures).toHaveLength(1)
    })
  })

  describe('in proceeding', () => {
    it('waits past Timer B without a timeout once a provisional arrived', () => {
      const { tx, tu } = ict()
      s.send(peerResponse(tx.request, 180, 'Ringing'))
      s.clock.advance(100_000)
      expect(tu.failures).toEqual([])
      expect(tx.state).toBe('proceeding')
      expect(tu.responses).toEqual([180])
    })
  })

  describe('on a non-2xx final', () => {
    it('ACKs it with the INVITE branch and the response To tag, and passes it to the TU once', () => {
      const { tx, tu } = ict()
      const req = tx.request
      s.send(peerResponse(req, 486, 'Busy Here', 'busy1'))
      s.clock.flush()
      const acks = s.got.filter((g) => isReq('ACK')(g.msg))
      expect(acks).toHaveLength(1)
      const ack = acks[0]!.msg
      expect(ack.topVia?.branch).toBe(req.topVia?.branch)
      expect(ack.to?.tag).toBe('busy1')
      expect(ack.cseq).toEqual({ seq: 1, method: 'ACK' })
      expect(tx.state).toBe('completed')
      expect(tu.responses).toEqual([486])
    })

    it('re-sends the ACK for each 486 retransmission during Timer D and passes none up', () => {
      const { tx, tu } = ict()
      const req = tx.request
      s.send(peerResponse(req, 486, 'Busy Here'))
      s.clock.advance(1000)
      s.send(peerResponse(req, 486, 'Busy Here'))
      s.clock.advance(1000)
      s.send(peerResponse(req, 486, 'Busy Here'))
      s.clock.flush()
      expect(s.times(isReq('ACK'))).toHaveLength(3)
      expect(tu.responses).toEqual([486])
      s.clock.advance(29_999)
      expect(tx.state).toBe('completed')
      s.clock.advance(1)
      expect(tx.state).toBe('terminated')
      expect(s.layer.size).toBe(0)
      // After Timer D the retransmission is a stray response: dropped and counted.
      s.send(peerResponse(req, 486, 'Busy Here'))
      s.clock.flush()
      expect(s.times(isReq('ACK'))).toHaveLength(3)
      expect(s.metrics.get('sip_stray_responses_total')?.get()).toBe(1)
    })
  })

  describe('in accepted (RFC 6026)', () => {
    it('passes the 2xx and its retransmissions to the TU without ACKing, until Timer M', () => {
      const { tx, tu } = ict()
      const req = tx.request
      s.send(peerResponse(req, 180, 'Ringing'))
      s.clock.advance(10)
      s.send(peerResponse(req, 200, 'OK'))
      s.clock.advance(500)
      s.send(peerResponse(req, 200, 'OK'))
      s.clock.flush()
      expect(tx.state).toBe('accepted')
      expect(tu.responses).toEqual([180, 200, 200])
      expect(s.times(isReq('ACK'))).toEqual([])
      s.clock.advance(32_000 - 500)
      expect(tx.state).toBe('terminated')
      expect(s.layer.size).toBe(0)
      // RFC 6026 §7.2: a later 2xx has no ICT and goes to the core for the dialog layer.
      s.send(peerResponse(req, 200, 'OK'))
      s.clock.flush()
      expect(s.core.stray2xx).toHaveLength(1)
      expect(tu.responses).toEqual([180, 200, 200])
    })

    it('passes 2xx retransmissions to the user it was handed over to, until Timer M', () => {
      const { tx, tu } = ict()
      const req = tx.request
      s.send(peerResponse(req, 200, 'OK'))
      s.clock.flush()
      const later: number[] = []
      tx.handOver({ kind: 'ict', state: 'accepted', startedAtMs: NaN, onResponse: (res) => later.push(res.status) })
      s.clock.advance(500)
      s.send(peerResponse(req, 200, 'OK'))
      s.send(peerResponse(req, 180, 'Ringing'))
      s.clock.flush()
      expect(tu.responses).toEqual([200])
      expect(later).toEqual([200, 180])
      s.clock.advance(32_000 - 500)
      expect(s.layer.size).toBe(0)
      s.send(peerResponse(req, 200, 'OK'))
      s.clock.flush()
      expect(later).toEqual([200, 180])
      expect(s.core.stray2xx).toHaveLength(1)
    })
  })
})
