// Builders: RFC 3261 §8.2.6 (responses), §8.2.6.1 (100 copies Timestamp), §17.1.1.3 (ACK for non-2xx), §9.1 (CANCEL), §8.1.1.7 (branch).
import { describe, expect, it } from 'vitest'
import { BRANCH_COOKIE, MessageBuildError, buildAckForNon2xx, buildCancel, buildResponse, generateBranch, generateCallId, generateTag, markOf, setIdMark } from './build.js'
import type { SipRequest } from './message.js'
import { parseMessage } from './parse.js'
import { serializeMessage } from './serialize.js'

function invite(): SipRequest {
  const r = parseMessage(Buffer.from([
    'INVITE sip:bob@example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKtop, SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKlow',
    'Via: SIP/2.0/UDP 192.0.2.8;branch=z9hG4bKlower',
    'Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
    'Max-Forwards: 69',
    'From: <sip:alice@example.com>;tag=a1',
    'To: <sip:bob@example.com>',
    'Call-ID: call-1',
    'CSeq: 7 INVITE',
    'Timestamp: 54.2',
    'Content-Type: application/sdp',
    'Content-Length: 3',
    '',
    'v=0',
  ].join('\r\n')))
  if (!r.ok || !r.message.isRequest) throw new Error('fixture')
  return r.message
}

describe('buildResponse', () => {
  it('copies all Vias in order, From, To, Call-ID and CSeq', () => {
    const res = buildResponse(invite(), 486, { toTag: 'b1' })
    expect(res.headers.getAll('via').map((v) => v.split('branch=')[1])).toEqual(['z9hG4bKtop', 'z9hG4bKlow', 'z9hG4bKlower'])
    expect(res.from?.tag).toBe('a1')
    expect(res.to?.tag).toBe('b1')
    expect(res.callId).toBe('call-1')
    expect(res.cseq).toEqual({ seq: 7, method: 'INVITE' })
    expect(res.reason).toBe('Busy Here')
    expect(res.headers.has('timestamp')).toBe(false)
  })

  it('copies only its own request\'s Vias after a response to a request with more of them', () => {
    const one = parseMessage(Buffer.from('BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKone\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 2 BYE\r\n\r\n'))
    if (!one.ok || !one.message.isRequest) throw new Error('fixture')
    buildResponse(invite(), 486, { toTag: 'b1' })
    const res = buildResponse(one.message, 200)
    expect(res.headers.getAll('via')).toEqual(['SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKone'])
    expect(serializeMessage(res).toString()).toBe('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKone\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n')
  })

  it('copies Timestamp into 100 Trying and adds no to-tag to it', () => {
    const res = buildResponse(invite(), 100, { toTag: 'b1' })
    expect(res.headers.get('timestamp')).toBe('54.2')
    expect(res.to?.tag).toBeUndefined()
  })

  it('keeps an existing to-tag', () => {
    const req = invite()
    req.headers.set('to', '<sip:bob@example.com>;tag=old')
    expect(buildResponse(req, 200, { toTag: 'new' }).to?.tag).toBe('old')
  })

  it('adds extra headers and a body with its Content-Type', () => {
    const res = buildResponse(invite(), 420, { headers: [['Unsupported', 'foo']] })
    expect(res.headers.get('unsupported')).toBe('foo')
    const ok = buildResponse(invite(), 200, { body: Buffer.from('v=0\r\n'), contentType: 'application/sdp' })
    expect(serializeMessage(ok).toString()).toContain('Content-Type: application/sdp\r\nContent-Length: 5\r\n')
  })

  it('throws MessageBuildError for an impossible status', () => {
    expect(() => buildResponse(invite(), 99)).toThrow(MessageBuildError)
  })
})

describe('buildAckForNon2xx', () => {
  it('uses the INVITE top Via only, its Request-URI and Route, and the response To', () => {
    const inv = invite()
    const res = buildResponse(inv, 486, { toTag: 'b1' })
    const ack = buildAckForNon2xx(inv, res)
    expect(ack.method).toBe('ACK')
    expect(ack.uri).toBe('sip:bob@example.com')
    expect(ack.headers.getAll('via')).toEqual(['SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKtop'])
    expect(ack.to?.tag).toBe('b1')
    expect(ack.cseq).toEqual({ seq: 7, method: 'ACK' })
    expect(ack.headers.getAll('route')).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>'])
    expect(ack.body.length).toBe(0)
  })

  it('refuses to build an ACK for a 2xx (that is the dialog layer)', () => {
    const inv = invite()
    expect(() => buildAckForNon2xx(inv, buildResponse(inv, 200))).toThrow(MessageBuildError)
  })
})

describe('buildCancel', () => {
  it('matches the INVITE top Via, Request-URI, From, To, Call-ID, CSeq number and Route', () => {
    const c = buildCancel(invite())
    expect(c.method).toBe('CANCEL')
    expect(c.uri).toBe('sip:bob@example.com')
    expect(c.topVia?.branch).toBe('z9hG4bKtop')
    expect(c.vias).toHaveLength(1)
    expect(c.to?.tag).toBeUndefined()
    expect(c.cseq).toEqual({ seq: 7, method: 'CANCEL' })
    expect(c.routes).toHaveLength(2)
  })
})

describe('identifiers', () => {
  it('generates unique branches with the magic cookie', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 5000; i++) seen.add(generateBranch())
    expect(seen.size).toBe(5000)
    for (const b of seen) expect(b.startsWith(BRANCH_COOKIE)).toBe(true)
  })

  it('generates tags and Call-IDs made of token characters', () => {
    expect(generateTag()).toMatch(/^[0-9a-z][0-9a-f]{16}$/)
    expect(generateCallId('sbc.example.com')).toMatch(/^[0-9a-z][0-9a-f]{32}@sbc\.example\.com$/)
  })

  it("marks every branch, tag and Call-ID with the worker that minted it", () => {
    try {
      setIdMark(13)
      expect(markOf(generateTag())).toBe(13)
      expect(markOf(generateCallId())).toBe(13)
      expect(markOf(generateBranch(), BRANCH_COOKIE.length)).toBe(13)
      setIdMark(35)
      expect(markOf(generateTag())).toBe(35)
      expect(() => setIdMark(36)).toThrow(MessageBuildError)
      expect(markOf('')).toBe(-1)
      expect(markOf('Xyz')).toBe(-1)
    } finally {
      setIdMark(0)
    }
  })
})
