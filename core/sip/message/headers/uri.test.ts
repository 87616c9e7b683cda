// URI parsing: RFC 3261 §19.1 (SIP/SIPS URI components, escaping §19.1.2), RFC 3966 tel, other schemes opaque.
import { describe, expect, it } from 'vitest'
import { NO_PARAMS } from './params.js'
import { NO_URI_HEADERS, parseUri, type SipUri, type TelUri, unescapePercent } from './uri.js'

describe('parseUri', () => {
  it('parses user, password, host, port, params and headers', () => {
    expect(parseUri('sips:alice:secret@Example.COM:5061;transport=tcp;lr?subject=project%20x&priority=urgent')).toMatchObject({
      scheme: 'sips', user: 'alice', password: 'secret', host: 'example.com', port: 5061,
      params: new Map([['transport', 'tcp'], ['lr', null]]),
      headers: new Map([['subject', 'project x'], ['priority', 'urgent']]),
    })
  })

  it('gives URIs without parameters or headers the shared empty Maps', () => {
    const a = parseUri('sip:+4930123@127.0.0.1') as SipUri
    const b = parseUri('sip:gw@10.0.0.1:5080') as SipUri
    expect(a.params.size + a.headers.size).toBe(0)
    expect(a.params).toBe(b.params)
    expect(a.headers).toBe(b.headers)
    expect(a.params).toBe(NO_PARAMS)
    expect(a.headers).toBe(NO_URI_HEADERS)
    expect((parseUri('tel:+4930123') as TelUri).params).toBe(NO_PARAMS)
  })

  it('parses IPv6 references and rejects unterminated ones', () => {
    expect(parseUri('sip:[2001:DB8::1]:5060')).toMatchObject({ host: '[2001:db8::1]', port: 5060 })
    expect(parseUri('sip:[2001:db8::1')).toBeUndefined()
  })

  it('decodes escapes in the user part, including %00 and a user containing ";"', () => {
    expect(parseUri('sip:null-%00-null@example.com')).toMatchObject({ user: 'null-\u0000-null' })
    expect(parseUri('sip:user;par=u%40example.net@example.com')).toMatchObject({ user: 'user;par=u@example.net', host: 'example.com' })
  })

  it('parses tel URIs with parameters', () => {
    expect(parseUri('tel:+1-201-555-0123;phone-context=example.com')).toMatchObject({ scheme: 'tel', number: '+1-201-555-0123' })
  })

  it('keeps unknown schemes opaque', () => {
    expect(parseUri('isbn:2983792873')).toEqual({ scheme: 'isbn', opaque: '2983792873', raw: 'isbn:2983792873' })
  })

  it('reads ports of one to five digits up to 65535, leading zeros included', () => {
    expect([parseUri('sip:h:0'), parseUri('sip:h:05060'), parseUri('sip:h:65535;lr')].map((u) => (u as SipUri).port)).toEqual([0, 5060, 65535])
    for (const u of ['sip:h:65536', 'sip:h:000001', 'sip:h:', 'sip:h:5x']) expect(parseUri(u)).toBeUndefined()
  })

  it('rejects whitespace, bad ports and missing hosts', () => {
    for (const u of ['sip:a b@h', 'sip:h:99999', 'sip:@h', 'sip:', '<sip:a@b>', 'sip:a@b;', 'sip:a@b?x']) expect(parseUri(u)).toBeUndefined()
  })
})

describe('unescapePercent', () => {
  it('leaves a % that is not an escape as it is', () => {
    expect(unescapePercent('%Z%45')).toBe('%ZE')
  })
})
