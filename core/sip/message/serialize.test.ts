// Serialization: RFC 3261 §7 message format, §7.3.3 output uses full header names, §20.14 Content-Length equals the body.
import { describe, expect, it } from 'vitest'
import { HeaderList } from './header-list.js'
import { SipRequest, SipResponse } from './message.js'
import { parseMessage } from './parse.js'
import { serializeMessage } from './serialize.js'

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
