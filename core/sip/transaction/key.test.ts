// Covers transaction matching keys: RFC 3261 §17.1.3, §17.2.3 (including the RFC 2543 fallback) and §9.2 (CANCEL finds its INVITE).
import { describe, expect, it } from 'vitest'
import { parseMessage } from '../message/parse.js'
import type { SipRequest } from '../message/message.js'
import { clientKey, isRfc3261Branch, serverKey } from './key.js'
import { peerRequest, type PeerRequest } from './test-support/loop-stack.js'

function req(p: PeerRequest): SipRequest {
  const r = parseMessage(Buffer.from(peerRequest(p).replaceAll('\n', '\r\n')))
  if (!r.ok || !r.message.isRequest) throw new Error('fixture did not parse')
  return r.message
}

describe('serverKey', () => {
  it('matches ACK and CANCEL to their INVITE by branch and sent-by when looked up as INVITE', () => {
    const invite = serverKey(req({ method: 'INVITE' }), 'INVITE')
    expect(serverKey(req({ method: 'ACK', toTag: 'x' }), 'INVITE')).toBe(invite)
    expect(serverKey(req({ method: 'CANCEL' }), 'INVITE')).toBe(invite)
    expect(serverKey(req({ method: 'CANCEL' }), 'CANCEL')).not.toBe(invite)
  })

  it('distinguishes equal branches from different sent-by hosts or ports, and treats a missing port as 5060', () => {
    const a = serverKey(req({ method: 'OPTIONS', via: 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKsame' }), 'OPTIONS')
    const b = serverKey(req({ method: 'OPTIONS', via: 'SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKsame' }), 'OPTIONS')
    const c = serverKey(req({ method: 'OPTIONS', via: 'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKsame' }), 'OPTIONS')
    expect(a).not.toBe(b)
    expect(a).toBe(c)
  })

  it('falls back to RFC 2543 fields without the magic cookie, with the To tag overridable for ACK', () => {
    const via = 'SIP/2.0/UDP 10.0.0.1:5060;branch=1234'
    const invite = serverKey(req({ method: 'INVITE', via }), 'INVITE')
    expect(invite?.startsWith('2543')).toBe(true)
    expect(serverKey(req({ method: 'INVITE', via }), 'INVITE')).toBe(invite)
    expect(serverKey(req({ method: 'ACK', via, toTag: 'resp' }), 'INVITE', '')).toBe(invite)
    expect(serverKey(req({ method: 'INVITE', via, callId: 'other' }), 'INVITE')).not.toBe(invite)
    expect(serverKey(req({ method: 'INVITE', via, uri: 'sip:456@127.0.0.1' }), 'INVITE')).not.toBe(invite)
  })
})

describe('clientKey', () => {
  it('keeps an INVITE and its CANCEL apart on the same branch', () => {
    expect(clientKey('z9hG4bKa', 'INVITE')).not.toBe(clientKey('z9hG4bKa', 'CANCEL'))
    expect(isRfc3261Branch('z9hG4bKa')).toBe(true)
    expect(isRfc3261Branch('abc')).toBe(false)
  })
})
