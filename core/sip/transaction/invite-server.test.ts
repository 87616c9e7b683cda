// Covers the INVITE server transaction of RFC 3261 §17.2.1 (100 Trying, Timers G, H, I, retransmission absorption) and RFC 6026 §8.5-8.7 (Accepted, Timer L, ACK to TU).
import { afterEach, describe, expect, it } from 'vitest'
import { buildResponse } from '../message/build.js'
import type { InviteServerTransaction } from './invite-server.js'
import { isReq, isRes, makeStack, peerRequest, receiveInvite as receivedInvite, type Stack } from './test-support/loop-stack.js'
import { TransactionStateError } from './failures.js'

let s: Stack
afterEach(() => {
  expect(s.net.userErrors).toEqual([])
})

/** Peer sends an INVITE; returns its IST once the layer has it. */
function receiveInvite(): InviteServerTransaction {
  s = makeStack()
  return receivedInvite(s)
}

describe('InviteServerTransaction', () => {
  describe('in proceeding', () => {
    it('sends 100 Trying at once and hands the INVITE to the core', () => {
      const tx = receiveInvite()
      expect(tx.state).toBe('proceeding')
      expect(s.times(isRes(100))).toEqual([0])
      expect(s.core.requests).toHaveLength(1)
    })

    it('answers INVITE retransmissions with the latest provisional and does not hand them up', () => {
      const tx = receiveInvite()
      tx.respond(buildResponse(tx.request, 180, { toTag: 'ltag' }))
      s.clock.advance(500)
      s.send(peerRequest({ method: 'INVITE' }))
      s.clock.flush()
      expect(s.times(isRes(180))).toEqual([0, 500])
      expect(s.core.requests).toHaveLength(1)
    })

    it('sends responses to the source address and port because the Via asked for rport', () => {
      const tx = receiveInvite()
      expect(tx.remote).toEqual({ address: '127.0.0.2', port: 5070, family: 'IPv4' })
      expect(tx.request.topVia?.rport).toBe(5070)
      expect(tx.request.topVia?.received).toBe('127.0.0.2')
    })
  })

  describe('in completed', () => {
    it('retransmits a 486 per Timer G (T1 doubling, capped at T2) until the ACK, then absorbs ACKs for Timer I', () => {
      const tx = receiveInvite()
      tx.respond(buildResponse(tx.request, 486, { toTag: 'ltag' }))
      s.clock.advance(8000)
      expect(s.times(isRes(486))).toEqual([0, 500, 1500, 3500, 7500])
      s.send(peerRequest({ method: 'ACK', cseqMethod: 'ACK', toTag: 'ltag' }))
      s.clock.flush()
      expect(tx.state).toBe('confirmed')
      s.send(peerRequest({ method: 'ACK', cseqMethod: 'ACK', toTag: 'ltag' }))
      s.clock.advance(4999)
      expect(s.core.acks).toEqual([])
      expect(s.times(isRes(486))).toHaveLength(5)
      s.clock.advance(1)
      expect(tx.state).toBe('terminated')
      expect(s.layer.size).toBe(0)
    })

    it('caps Timer G at T2 and reports Timer H to the core as 408 when no ACK comes', () => {
      const tx = receiveInvite()
      tx.respond(buildResponse(tx.request, 603, { toTag: 'ltag' }))
      s.clock.advance(32_000)
      expect(s.times(isRes(603))).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500])
      expect(s.core.failures.map((f) => f.failure)).toEqual([{ status: 408, reason: 'Request Timeout', timer: 'H' }])
      expect(s.layer.size).toBe(0)
      expect(s.clock.pending).toBe(0)
    })

    it('re-sends the final for a retransmitted INVITE', () => {
      const tx = receiveInvite()
      tx.respond(buildResponse(tx.request, 486, { toTag: 'ltag' }))
      s.clock.advance(100)
      s.send(peerRequest({ method: 'INVITE' }))
      s.clock.flush()
      expect(s.times(isRes(486))).toEqual([0, 100])
    })

    it('throws TransactionStateError when our code sends a second final', () => {
      const tx = receiveInvite()
      tx.respond(buildResponse(tx.request, 486, { toTag: 'ltag' }))
      expect(() => tx.respond(buildResponse(tx.request, 200, { toTag: 'ltag' }))).toThrow(TransactionStateError)
    })
  })

  describe('in accepted (RFC 6026)', () => {
    it('sends a 2xx once, forwards TU retransmissions, absorbs INVITE retransmissions, passes ACK up, ends on Timer L', () => {
      const tx = receiveInvite()
      const req = tx.request
      tx.respond(buildResponse(req, 200, { toTag: 'ltag' }))
      expect(tx.state).toBe('accepted')
      s.clock.advance(500)
      expect(tx.respond(buildResponse(req, 200, { toTag: 'ltag' }))).toBe(true)
      s.send(peerRequest({ method: 'INVITE' }))
      s.clock.flush()
      expect(s.times(isRes(200))).toEqual([0, 500])
      expect(s.core.requests).toHaveLength(1)
      s.send(peerRequest({ method: 'ACK', cseqMethod: 'ACK', toTag: 'ltag', branch: 'z9hG4bKack2xx' }))
      s.clock.flush()
      expect(s.core.acks).toHaveLength(1)
      s.clock.advance(31_499)
      expect(s.layer.size).toBe(1)
      s.clock.advance(1)
      expect(s.layer.size).toBe(0)
      expect(tx.respond(buildResponse(req, 200, { toTag: 'ltag' }))).toBe(false)
      expect(tx.state).toBe('terminated')
    })

    it('absorbs INVITE retransmissions and passes ACKs up until Timer L once the layer holds only a record of it', () => {
      const tx = receiveInvite()
      tx.respond(buildResponse(tx.request, 200, { toTag: 'ltag' }))
      s.clock.advance(31_000)
      s.send(peerRequest({ method: 'INVITE' }))
      s.send(peerRequest({ method: 'ACK', cseqMethod: 'ACK', toTag: 'ltag' }))
      s.clock.flush()
      expect(s.core.requests).toHaveLength(1)
      expect(s.core.acks).toHaveLength(1)
      expect(s.times(isRes(200))).toEqual([0])
      s.clock.advance(1_000)
      // After Timer L the INVITE is a new request.
      s.send(peerRequest({ method: 'INVITE' }))
      s.clock.flush()
      expect(s.core.requests).toHaveLength(2)
    })

    it('passes an ACK that reuses the INVITE branch to the core (RFC 6026 §8.7)', () => {
      const tx = receiveInvite()
      tx.respond(buildResponse(tx.request, 200, { toTag: 'ltag' }))
      s.send(peerRequest({ method: 'ACK', cseqMethod: 'ACK', toTag: 'ltag' }))
      s.clock.flush()
      expect(s.core.acks).toHaveLength(1)
      expect(tx.state).toBe('accepted')
    })
  })

  it('tells the core 503 and terminates when a response cannot be sent', () => {
    const tx = receiveInvite()
    s.net.failSends(() => 'EHOSTUNREACH')
    tx.respond(buildResponse(tx.request, 486, { toTag: 'ltag' }))
    s.clock.flush()
    expect(s.core.failures.map((f) => f.failure.status)).toEqual([503])
    expect(s.layer.size).toBe(0)
    expect(s.times(isReq('INVITE'))).toEqual([])
  })
})
