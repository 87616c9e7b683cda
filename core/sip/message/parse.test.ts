// Parsing of the wire format: RFC 3261 §7 (start line, headers, compact forms §7.3.3, folding §7.3.1), §18.3 Content-Length framing, §8.2 partial requests for 400.
import { describe, expect, it } from 'vitest'
import { parseMessage } from './parse.js'

const crlf = (...lines: string[]) => Buffer.from(lines.join('\r\n'))
const BASE = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport',
  'Max-Forwards: 70',
  'From: "Alice" <sip:alice@example.com>;tag=a1',
  'To: <sip:bob@example.com>',
  'Call-ID: c1@192.0.2.1',
  'CSeq: 1 INVITE',
]

function ok(buf: Buffer) {
  const r = parseMessage(buf)
  if (!r.ok) throw new Error(r.error.message)
  return r.message
}

describe('parseMessage', () => {
  it('parses a request line, headers and body', () => {
    const m = ok(crlf(...BASE, 'Content-Length: 4', '', 'abcd'))
    expect(m.isRequest && [m.method, m.uri]).toEqual(['INVITE', 'sip:bob@example.com'])
    expect(m.body.toString()).toBe('abcd')
    expect(m.topVia).toMatchObject({ transport: 'UDP', host: '192.0.2.1', port: 5060, branch: 'z9hG4bKabc', rport: true })
    expect(m.from).toMatchObject({ displayName: 'Alice', uri: 'sip:alice@example.com', tag: 'a1' })
    expect(m.to?.tag).toBeUndefined()
    expect(m.cseq).toEqual({ seq: 1, method: 'INVITE' })
  })

  it('parses a status line with a reason containing spaces', () => {
    const m = ok(crlf('SIP/2.0 486 Busy Here', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', '', ''))
    expect(!m.isRequest && [m.status, m.reason]).toEqual([486, 'Busy Here'])
  })

  it('expands compact header i to Call-ID and v, f, t, m, l, k, x', () => {
    const m = ok(crlf('OPTIONS sip:a@b SIP/2.0', 'v: SIP/2.0/UDP h;branch=z9hG4bK1', 'f: <sip:x@y>;tag=1', 't: sip:a@b', 'i: abc', 'm: <sip:c@d>', 'k: timer', 'x: 90', 'l: 0', '', ''))
    expect(m.callId).toBe('abc')
    expect(m.headers.get('Call-ID')).toBe('abc')
    expect(m.from?.tag).toBe('1')
    expect(m.contact?.uri).toBe('sip:c@d')
    expect(m.supported).toEqual(['timer'])
    expect(m.sessionExpires?.deltaSec).toBe(90)
  })

  it('unfolds continuation lines and accepts tabs and spaces before the colon', () => {
    const m = ok(crlf('OPTIONS sip:a@b SIP/2.0', 'Subject :\tfirst', '\tsecond', '  third', 'l: 0', '', ''))
    expect(m.headers.get('subject')).toBe('first second third')
  })

  it('splits comma-separated Via and Contact values, respecting quotes and angle brackets', () => {
    const m = ok(crlf('OPTIONS sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/TCP b;branch=z9hG4bK2', 'Contact: "Doe, John" <sip:j@h;x=1,2>, <sip:k@h>', 'l: 0', '', ''))
    expect(m.vias?.map((v) => v.host)).toEqual(['a', 'b'])
    expect(m.headers.getAll('contact')).toEqual(['"Doe, John" <sip:j@h;x=1,2>', '<sip:k@h>'])
    expect(m.contacts?.[0]?.displayName).toBe('Doe, John')
  })

  it('reads UTF-8 display names', () => {
    const m = ok(crlf('OPTIONS sip:a@b SIP/2.0', 'From: "Jürgen Ñandú 東京" <sip:j@h>;tag=9', 'l: 0', '', ''))
    expect(m.from?.displayName).toBe('Jürgen Ñandú 東京')
  })

  it('reads an ASCII head the same whether the body is ASCII or not, and keeps the body\'s bytes', () => {
    const body = Buffer.from([0x76, 0x3d, 0xe9, 0xff, 0x00])
    const withBody = Buffer.concat([crlf(...BASE, `Content-Length: ${body.length}`, '', ''), body])
    const m = ok(withBody)
    expect(m.headers.get('via')).toBe(ok(crlf(...BASE, 'Content-Length: 0', '', '')).headers.get('via'))
    expect(Buffer.compare(m.body, body)).toBe(0)
    const utf8Head = ok(crlf('OPTIONS sip:a@b SIP/2.0', 'Subject: Grüße', 'l: 0', '', ''))
    expect(utf8Head.headers.get('subject')).toBe('Grüße')
  })

  it('ignores octets after Content-Length in a datagram', () => {
    const m = ok(crlf(...BASE, 'Content-Length: 2', '', 'abEXTRA'))
    expect(m.body.toString()).toBe('ab')
  })

  it('takes the rest of the datagram as body when Content-Length is missing', () => {
    expect(ok(crlf(...BASE, '', 'rest')).body.toString()).toBe('rest')
  })

  it('requires Content-Length on stream framing', () => {
    const r = parseMessage(crlf(...BASE, '', ''), 'stream')
    expect(r.ok || r.error.code).toBe('content-length')
  })

  it('rejects a body shorter than Content-Length, keeping a partial request for the 400', () => {
    const r = parseMessage(crlf(...BASE, 'Content-Length: 10', '', 'abc'))
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.code).toBe('body-truncated')
      expect(r.error.partial?.callId).toBe('c1@192.0.2.1')
    }
  })

  it('rejects a request with two Content-Length headers', () => {
    const r = parseMessage(crlf(...BASE, 'Content-Length: 0', 'l: 0', '', ''))
    expect(r.ok || r.error.code).toBe('content-length')
  })

  it('rejects a negative Content-Length', () => {
    const r = parseMessage(crlf(...BASE, 'Content-Length: -1', '', ''))
    expect(r.ok || r.error.code).toBe('content-length')
  })

  it('gives no partial when a mandatory header is missing', () => {
    const r = parseMessage(crlf(BASE[0]!, BASE[1]!, 'Content-Length: 5', '', ''))
    expect(!r.ok && r.error.partial).toBeUndefined()
  })

  it('never gives a partial for a response', () => {
    const r = parseMessage(crlf('SIP/2.0 200 OK', ...BASE.slice(1), 'Content-Length: 9', '', ''))
    expect(!r.ok && r.error.partial).toBeUndefined()
  })

  it('reports a header line without a colon but still recovers the mandatory headers', () => {
    const r = parseMessage(crlf(...BASE, 'garbage line', 'Content-Length: 0', '', ''))
    expect(!r.ok && r.error.code).toBe('header-syntax')
    expect(!r.ok && r.error.partial?.cseq?.seq).toBe(1)
  })

  it('skips leading CRLFs and reports a bare CRLF keep-alive as empty', () => {
    expect(ok(Buffer.concat([Buffer.from('\r\n\r\n'), crlf(...BASE, 'l: 0', '', '')])).isRequest).toBe(true)
    const r = parseMessage(Buffer.from('\r\n\r\n'))
    expect(!r.ok && r.error.code).toBe('empty')
  })

  it('rejects status codes that are not three digits in 100..699', () => {
    for (const line of ['SIP/2.0 4294967301 big', 'SIP/2.0 99 low', 'SIP/2.0 700 high', 'SIP/2.0 20x OK']) {
      expect(parseMessage(crlf(line, '', '')).ok).toBe(false)
    }
  })

  it('keeps a non-2.0 version for the validator to answer 505', () => {
    const m = ok(crlf('OPTIONS sip:a@b SIP/3.0', 'l: 0', '', ''))
    expect(m.version).toBe('SIP/3.0')
  })

  it('rejects a Request-URI with embedded whitespace as request-uri with a partial', () => {
    const r = parseMessage(crlf('INVITE sip:bob@example.com; lr SIP/2.0', ...BASE.slice(1), 'l: 0', '', ''))
    expect(!r.ok && [r.error.code, r.error.partial !== undefined]).toEqual(['request-uri', true])
  })

  it('accepts bare LF line ends', () => {
    const m = ok(Buffer.from(BASE.join('\n') + '\nContent-Length: 0\n\n'))
    expect(m.callId).toBe('c1@192.0.2.1')
  })

  it('does not throw on a truncated header section', () => {
    const r = parseMessage(crlf(...BASE))
    expect(!r.ok && r.error.code).toBe('no-header-end')
  })
})
