// The OPTIONS answer of RFC 3261 §11.2: 200 with Allow, Accept, Accept-Encoding, Accept-Language and Supported, To tag added (§8.2.6.2).
import { describe, expect, it } from 'vitest'
import { parseMessage } from '../message/parse.js'
import { serializeMessage } from '../message/serialize.js'
import { optionsResponse } from './options.js'

describe('optionsResponse', () => {
  it('answers OPTIONS with 200 listing Allow, Accept and Supported, echoing Via, Call-ID and CSeq', () => {
    const text = 'OPTIONS sip:192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKo1\r\nFrom: <sip:a@192.0.2.2>;tag=1\r\nTo: <sip:192.0.2.1>\r\nCall-ID: o1\r\nCSeq: 7 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n'
    const r = parseMessage(Buffer.from(text))
    if (!r.ok || !r.message.isRequest) throw new Error('fixture does not parse')
    const res = optionsResponse(r.message, { allow: ['INVITE', 'OPTIONS'], supported: ['timer'], accept: ['application/sdp'] })
    const back = parseMessage(serializeMessage(res))
    expect(back.ok).toBe(true)
    if (!back.ok || back.message.isRequest) return
    const m = back.message
    expect(m.status).toBe(200)
    expect(m.headers.getAll('allow')).toEqual(['INVITE', 'OPTIONS'])
    expect(m.headers.get('accept')).toBe('application/sdp')
    expect(m.headers.get('accept-encoding')).toBe('identity')
    expect(m.headers.get('accept-language')).toBe('en')
    expect(m.headers.get('supported')).toBe('timer')
    expect(m.to?.tag).toMatch(/^[0-9a-z][0-9a-f]{16}$/)
    expect([m.callId, m.cseq?.seq, m.topVia?.branch]).toEqual(['o1', 7, 'z9hG4bKo1'])
  })
})
