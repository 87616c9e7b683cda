// Request/response validation: RFC 3261 §8.2.1-§8.2.3 (405/416/420/415), §16.3 (483), §8.1.1 mandatory headers, §7.1 version (505), RFC 4475 §3.3.
import { describe, expect, it } from 'vitest'
import type { SipRequest, SipResponse } from './message.js'
import { parseMessage } from './parse.js'
import { validateRequest, validateResponse } from './validate.js'

const HEAD = ['Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1', 'From: <sip:a@example.com>;tag=1', 'To: <sip:b@example.com>', 'Call-ID: x1', 'Max-Forwards: 70']

function req(start: string, extra: string[] = [], body = '', cseq?: string): SipRequest {
  const method = start.split(' ')[0]!
  const lines = [start, ...HEAD, `CSeq: ${cseq ?? '1 ' + method}`, ...extra, `Content-Length: ${Buffer.byteLength(body)}`, '', body]
  const r = parseMessage(Buffer.from(lines.join('\r\n')))
  if (!r.ok || !r.message.isRequest) throw new Error(r.ok ? 'not a request' : r.error.message)
  return r.message
}

describe('validateRequest', () => {
  it('accepts a well-formed INVITE and reports its Max-Forwards', () => {
    expect(validateRequest(req('INVITE sip:b@example.com SIP/2.0', ['Content-Type: application/sdp'], 'v=0\r\n'))).toEqual({ ok: true, maxForwards: 70 })
  })

  it('rejects a request missing Call-ID with 400', () => {
    const m = req('OPTIONS sip:b@example.com SIP/2.0')
    m.headers.remove('call-id')
    expect(validateRequest(m)).toMatchObject({ ok: false, status: 400 })
  })

  it('drops a request without Via (no response can be routed)', () => {
    const m = req('OPTIONS sip:b@example.com SIP/2.0')
    m.headers.remove('via')
    expect(validateRequest(m)).toMatchObject({ ok: false, drop: true })
  })

  it('names the first repeated single-valued header in RFC order, in any spelling (RFC 4475 §3.3.8)', () => {
    expect(validateRequest(req('OPTIONS sip:b@example.com SIP/2.0', ['Expires: 5', 'EXPIRES: 6', 'i: x2']))).toMatchObject({ status: 400, warning: 'Multiple call-id headers' })
    expect(validateRequest(req('OPTIONS sip:b@example.com SIP/2.0', ['Expires: 5', 'expires: 6']))).toMatchObject({ status: 400, warning: 'Multiple expires headers' })
    expect(validateRequest(req('OPTIONS sip:b@example.com SIP/2.0', ['Expires: 5']))).toMatchObject({ ok: true })
  })

  it('rejects a CSeq method different from the request method with 400', () => {
    expect(validateRequest(req('OPTIONS sip:b@example.com SIP/2.0', [], '', '1 INVITE'))).toMatchObject({ status: 400 })
  })

  it('rejects INVITE with Max-Forwards 0 with 483, even when addressed to the node', () => {
    const inv = req('INVITE sip:b@192.0.2.9 SIP/2.0')
    inv.headers.set('max-forwards', '0')
    expect(validateRequest(inv, { localHosts: ['192.0.2.9'] })).toMatchObject({ status: 483, reason: 'Too Many Hops' })
  })

  it('answers OPTIONS with Max-Forwards 0 addressed to the node (our host, or no user part) instead of 483', () => {
    for (const uri of ['sip:192.0.2.9:5060', 'sip:b@192.0.2.9', 'sip:example.com']) {
      const opt = req(`OPTIONS ${uri} SIP/2.0`)
      opt.headers.set('max-forwards', '0')
      expect(validateRequest(opt, { localHosts: ['192.0.2.9'] })).toEqual({ ok: true, maxForwards: 0 })
    }
  })

  it('rejects OPTIONS with Max-Forwards 0 to a user elsewhere (which we would forward) with 483 (RFC 4475 §3.3.11)', () => {
    const opt = req('OPTIONS sip:user@example.com SIP/2.0')
    opt.headers.set('max-forwards', '0')
    expect(validateRequest(opt, { localHosts: ['192.0.2.9'] })).toMatchObject({ status: 483 })
  })

  it('treats a missing Max-Forwards as 70 (RFC 2543 peers)', () => {
    const m = req('INVITE sip:b@example.com SIP/2.0')
    m.headers.remove('max-forwards')
    expect(validateRequest(m)).toEqual({ ok: true, maxForwards: 70 })
  })

  it('rejects an unsupported Require with 420 and an Unsupported header, but not on ACK or CANCEL', () => {
    expect(validateRequest(req('INVITE sip:b@example.com SIP/2.0', ['Require: precondition, timer']))).toMatchObject({
      status: 420, headers: [['Unsupported', 'precondition']],
    })
    // RFC 3262: 100rel is ours (reliable provisionals and PRACK on both legs).
    expect(validateRequest(req('INVITE sip:b@example.com SIP/2.0', ['Require: 100rel'])).ok).toBe(true)
    expect(validateRequest(req('INVITE sip:b@example.com SIP/2.0', ['Require: 100rel']), { supported: ['timer'] })).toMatchObject({ status: 420 })
    expect(validateRequest(req('CANCEL sip:b@example.com SIP/2.0', ['Require: precondition'])).ok).toBe(true)
  })

  it('rejects an unknown Request-URI scheme with 416', () => {
    expect(validateRequest(req('INVITE mailto:b@example.com SIP/2.0'))).toMatchObject({ status: 416 })
  })

  it('rejects an INVITE body that is not SDP with 415 and Accept', () => {
    expect(validateRequest(req('INVITE sip:b@example.com SIP/2.0', ['Content-Type: text/html'], '<p>'))).toMatchObject({
      status: 415, headers: [['Accept', 'application/sdp, multipart/mixed']],
    })
  })

  it('rejects a SIP/3.0 request with 505', () => {
    expect(validateRequest(req('OPTIONS sip:b@example.com SIP/3.0'))).toMatchObject({ status: 505 })
  })

  it('rejects a request with two Call-ID headers with 400', () => {
    expect(validateRequest(req('OPTIONS sip:b@example.com SIP/2.0', ['Call-ID: x2']))).toMatchObject({ status: 400 })
  })

  it('rejects a Content-Length that does not match the body with 400', () => {
    const m = req('OPTIONS sip:b@example.com SIP/2.0')
    m.headers.set('content-length', '5')
    expect(validateRequest(m)).toMatchObject({ status: 400 })
  })
})

describe('validateResponse', () => {
  function res(lines: string[]): SipResponse {
    const r = parseMessage(Buffer.from(['SIP/2.0 200 OK', ...lines, 'Content-Length: 0', '', ''].join('\r\n')))
    if (!r.ok || r.message.isRequest) throw new Error('fixture')
    return r.message
  }

  it('accepts a well-formed response', () => {
    expect(validateResponse(res([...HEAD, 'CSeq: 1 INVITE']))).toEqual({ ok: true })
  })

  it('drops a response with a malformed CSeq', () => {
    expect(validateResponse(res([...HEAD, 'CSeq: 99999999999999 INVITE']))).toMatchObject({ drop: true })
  })

  it('drops a response without Via', () => {
    expect(validateResponse(res([...HEAD.slice(1), 'CSeq: 1 INVITE']))).toMatchObject({ drop: true })
  })
})
