// Serialization: RFC 3261 §7 message format, §7.3.3 output uses full header names, §20.14 Content-Length equals the body.
import { describe, expect, it } from 'vitest'
import { HeaderList } from './header-list.js'
import { SipRequest, SipResponse } from './message.js'
import { parseMessage } from './parse.js'
import { buildResponse } from './build.js'
import { serializeMessage, serializeResponseTo } from './serialize.js'

describe('serializeMessage', () => {
  it('writes canonical header names and a Content-Length equal to the body', () => {
    const h = new HeaderList().append('v', 'SIP/2.0/UDP h;branch=z9hG4bK1').append('i', 'x').append('cseq', '1 OPTIONS').append('l', '99')
    const out = serializeMessage(new SipRequest('OPTIONS', 'sip:a@b', h, Buffer.from('hey'))).toString()
    expect(out).toBe('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 3\r\n\r\nhey')
  })

  it('writes a status line', () => {
    expect(serializeMessage(new SipResponse(180, 'Ringing')).toString()).toBe('SIP/2.0 180 Ringing\r\nContent-Length: 0\r\n\r\n')
  })

  it('round-trips UTF-8 header values and binary bodies byte for byte', () => {
    const body = Buffer.from([0, 255, 13, 10, 13, 10, 1])
    const h = new HeaderList().append('from', '"Zoë" <sip:z@h>;tag=1')
    const buf = serializeMessage(new SipRequest('MESSAGE', 'sip:a@b', h, body))
    const r = parseMessage(buf)
    expect(r.ok && r.message.from?.displayName).toBe('Zoë')
    expect(r.ok && r.message.body.equals(body)).toBe(true)
  })

  it('drops cached structured values after a header change', () => {
    const r = parseMessage(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: one\r\nl: 0\r\n\r\n'))
    if (!r.ok) throw new Error('parse')
    expect(r.message.callId).toBe('one')
    r.message.headers.set('call-id', 'two')
    expect(r.message.callId).toBe('two')
  })
})

describe('serializeResponseTo', () => {
  const request = (lines: string[]): SipRequest => {
    const r = parseMessage(Buffer.from(lines.join('\r\n') + '\r\n\r\n'))
    if (!r.ok || !r.message.isRequest) throw new Error('bad test request')
    return r.message
  }
  const invite = request([
    'INVITE sip:1@h SIP/2.0', 'v: SIP/2.0/UDP a;branch=z9hG4bK1;received=192.0.2.1', 'Via: SIP/2.0/UDP b;branch=z9hG4bK0', 'f: <sip:a@a>;tag=1',
    'To: <sip:1@h>', 'i: c1', 'CSeq: 1 INVITE', 'Contact: <sip:a@a>', 'Timestamp: 54', 'Content-Length: 0',
  ])
  const tagged = request(['BYE sip:1@h SIP/2.0', 'Via: SIP/2.0/UDP a;branch=z9hG4bK2', 'From: <sip:a@a>;tag=1', 'To: <sip:1@h>;tag=9', 'Call-ID: c2', 'CSeq: 2 BYE'])
  const challenge = [['Proxy-Authenticate', 'Digest realm="r", nonce="n"'], ['proxy-authenticate', 'Digest realm="r", nonce="m"'], ['content-length', '7']] as const

  it('writes the bytes of the built response it stands for: Vias, From, To with the new tag, Call-ID, CSeq, then the extra headers', () => {
    for (const [req, status, reason, tag, extra] of [
      [invite, 407, undefined, 'xs1', challenge], [invite, 403, 'Nope', 'xs2', []], [invite, 100, undefined, undefined, []], [tagged, 481, undefined, 'xs3', []],
    ] as const) {
      const built = serializeMessage(buildResponse(req, status, { toTag: tag, headers: extra, ...(reason === undefined ? {} : { reason }) }))
      expect(serializeResponseTo(req, status, reason, tag, extra).toString()).toBe(built.toString())
    }
    expect(serializeResponseTo(invite, 407, undefined, 'xs1', challenge).toString()).toContain('To: <sip:1@h>;tag=xs1\r\n')
    expect(serializeResponseTo(tagged, 481, undefined, 'xs3', []).toString()).toContain('To: <sip:1@h>;tag=9\r\n')
  })
})
