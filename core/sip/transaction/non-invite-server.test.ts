// Covers the non-INVITE server transaction of RFC 3261 §17.2.2 (retransmission handling per state, Timer J) and §17.2.4.
import { afterEach, describe, expect, it } from 'vitest'
import { buildResponse } from '../message/build.js'
import { serializeMessage } from '../message/serialize.js'
import { isRes, makeStack, peerRequest, type Stack } from './test-support/loop-stack.js'
import type { NonInviteServerTransaction } from './non-invite-server.js'

let s: Stack
afterEach(() => {
  expect(s.net.userErrors).toEqual([])
})

function receiveOptions(): NonInviteServerTransaction {
  s = makeStack()
  s.send(peerRequest({ method: 'OPTIONS' }))
  s.clock.flush()
  const entry = s.core.requests[0]
  if (entry === undefined || entry.tx.kind !== 'nist') throw new Error('no NIST')
  return entry.tx
}

describe('NonInviteServerTransaction', () => {
  it('discards retransmissions in trying and sends no 100 for non-INVITE', () => {
    const tx = receiveOptions()
    s.send(peerRequest({ method: 'OPTIONS' }))
    s.clock.flush()
    expect(tx.state).toBe('trying')
    expect(s.got).toEqual([])
    expect(s.core.requests).toHaveLength(1)
  })

  it('re-sends the same final in completed without keeping the request', () => {
    const tx = receiveOptions()
    tx.respond(buildResponse(tx.request, 200, { toTag: 'l' }))
    expect(() => tx.request).toThrow(/no longer kept in completed/)
    expect(tx.method).toBe('OPTIONS')
    s.send(peerRequest({ method: 'OPTIONS' }))
    s.clock.advance(10)
    expect(s.got.map((g) => g.msg.isRequest ? '' : `${g.msg.status} ${g.msg.to?.tag}`)).toEqual(['200 l', '200 l'])
  })

  it('re-sends the provisional in proceeding and the final in completed', () => {
    const tx = receiveOptions()
    tx.respond(buildResponse(tx.request, 183))
    s.send(peerRequest({ method: 'OPTIONS' }))
    s.clock.advance(10)
    tx.respond(buildResponse(tx.request, 200, { toTag: 'l' }))
    s.send(peerRequest({ method: 'OPTIONS' }))
    s.clock.flush()
    expect(s.times(isRes(183))).toEqual([0, 0])
    expect(s.times(isRes(200))).toEqual([10, 10])
  })

  it('re-sends each of 1,200 finals waiting in completed as it went out (their bytes kept off the heap)', () => {
    s = makeStack()
    for (let i = 0; i < 1200; i++) s.send(peerRequest({ method: 'OPTIONS', branch: `z9hG4bKmany${i}` }))
    s.clock.flush()
    s.core.requests.forEach(({ tx }, i) => tx.respond(buildResponse(tx.request, 200, { toTag: `t${i}` })))
    s.clock.flush()
    const first = s.got.map((g) => serializeMessage(g.msg).toString('latin1'))
    s.got.length = 0
    s.clock.advance(31_000)
    for (let i = 1199; i >= 0; i--) s.send(peerRequest({ method: 'OPTIONS', branch: `z9hG4bKmany${i}` }))
    s.clock.flush()
    const again = s.got.map((g) => serializeMessage(g.msg).toString('latin1'))
    expect(again).toEqual([...first].reverse())
    expect(new Set(again).size).toBe(1200)
    expect(s.layer.waitBytes.chunks).toBeGreaterThan(1)
  })

  it('keeps answering for Timer J (64*T1) and then forgets the transaction', () => {
    const tx = receiveOptions()
    tx.respond(buildResponse(tx.request, 200, { toTag: 'l' }))
    s.clock.advance(31_999)
    expect(tx.state).toBe('completed')
    s.send(peerRequest({ method: 'OPTIONS' }))
    s.clock.flush()
    expect(s.times(isRes(200))).toEqual([0, 31_999])
    s.clock.advance(1)
    expect(s.layer.size).toBe(0)
    // A late retransmission is now a new request.
    s.send(peerRequest({ method: 'OPTIONS' }))
    s.clock.flush()
    expect(s.core.requests).toHaveLength(2)
  })

  it('tells the core 503 when the final cannot be sent', () => {
    const tx = receiveOptions()
    s.net.failSends(() => 'EHOSTUNREACH')
    tx.respond(buildResponse(tx.request, 200, { toTag: 'l' }))
    s.clock.flush()
    expect(s.core.failures.map((f) => f.failure.status)).toEqual([503])
    expect(s.layer.size).toBe(0)
  })
})
