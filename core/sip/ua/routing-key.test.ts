// The routing key of a message: a response's top Via branch, an in-dialog request's To tag, otherwise the Call-ID (see core/call/b2bua.test.ts for every message of a real call).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { SipMessage } from '../message/message.js'
import { parseMessage } from '../message/parse.js'
import { routingKey, routingKeyOfBytes } from './routing-key.js'

function parse(lines: string[]): SipMessage {
  const r = parseMessage(Buffer.from([...lines, 'Content-Length: 0', '', ''].join('\r\n')))
  if (!r.ok) throw new Error(r.error.message)
  return r.message
}

const VIA = 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKours1'
const FROM = 'From: <sip:a@192.0.2.2>;tag=theirs'

describe('routingKey', () => {
  it('keys a response by its top Via branch, whatever its Call-ID or tags', () => {
    const res = parse(['SIP/2.0 180 Ringing', VIA, FROM, 'To: <sip:b@192.0.2.1>;tag=t9', 'Call-ID: c1', 'CSeq: 1 INVITE'])
    expect(routingKey(res)).toEqual({ source: 'via-branch', value: 'z9hG4bKours1' })
  })

  it('keys a request inside a dialog by its To tag and one outside by its Call-ID', () => {
    const inDialog = parse(['BYE sip:b@192.0.2.1 SIP/2.0', VIA, FROM, 'To: <sip:b@192.0.2.1>;tag=ourtag', 'Call-ID: c1', 'CSeq: 2 BYE', 'Max-Forwards: 70'])
    expect(routingKey(inDialog)).toEqual({ source: 'to-tag', value: 'ourtag' })
    const outside = parse(['OPTIONS sip:192.0.2.1 SIP/2.0', VIA, FROM, 'To: <sip:192.0.2.1>', 'Call-ID: c2', 'CSeq: 1 OPTIONS', 'Max-Forwards: 70'])
    expect(routingKey(outside)).toEqual({ source: 'call-id', value: 'c2' })
  })

  it('has no key for a message that lacks the header that would carry it', () => {
    expect(routingKey(parse(['SIP/2.0 200 OK', FROM, 'To: <sip:b@192.0.2.1>;tag=t9', 'Call-ID: c1', 'CSeq: 1 INVITE']))).toBeUndefined()
    expect(routingKey(parse(['OPTIONS sip:192.0.2.1 SIP/2.0', VIA, FROM, 'To: <sip:192.0.2.1>', 'CSeq: 1 OPTIONS', 'Max-Forwards: 70']))).toBeUndefined()
  })
})

describe('routingKeyOfBytes', () => {
  const bytes = (lines: string[]): Buffer => Buffer.from([...lines, 'Content-Length: 0', '', ''].join('\r\n'))
  const same = (b: Buffer): void => {
    const r = parseMessage(b)
    expect(r.ok).toBe(true)
    if (r.ok) expect(routingKeyOfBytes(b)).toEqual(routingKey(r.message))
  }

  it('finds the key a parse would, with compact names, odd case, folding and lists', () => {
    same(bytes(['SIP/2.0 200 OK', 'v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1abc, SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKother', FROM, 't: <sip:b@x>;tag=t9', 'i: c1', 'CSeq: 1 INVITE']))
    same(bytes(['sip/2.0 180 Ringing', 'VIA :  SIP/2.0/UDP', '  192.0.2.1:5060;branch=z9hG4bKfold', FROM, 'To: <sip:b@x>;tag=t9', 'Call-ID: c1', 'CSeq: 1 INVITE']))
    same(bytes(['BYE sip:b@192.0.2.1 SIP/2.0', VIA, FROM, 'TO: "Bob;tag=fake" <sip:b@192.0.2.1;tag=inuri>;TAG=realtag', 'Call-ID: c1', 'CSeq: 2 BYE', 'Max-Forwards: 70']))
    same(bytes(['BYE sip:b@192.0.2.1 SIP/2.0', VIA, FROM, 'To: sip:b@192.0.2.1 ;tag = spaced', 'Call-ID: c1', 'CSeq: 2 BYE', 'Max-Forwards: 70']))
    same(bytes(['INVITE sip:b@192.0.2.1 SIP/2.0', VIA, FROM, 'To: <sip:b@192.0.2.1>', 'Call-ID:    c5@host  ', 'CSeq: 1 INVITE', 'Max-Forwards: 70']))
    same(bytes(['INVITE sip:b@192.0.2.1 SIP/2.0', VIA, FROM, 'To: <sip:b@192.0.2.1>', 'Call-ID: two words', 'CSeq: 1 INVITE', 'Max-Forwards: 70']))
    same(bytes(['OPTIONS sip:b@192.0.2.1 SIP/2.0', VIA, FROM, 'To: <sip:b@192.0.2.1>', 'Call-ID: c6', 'Call-ID: second', 'CSeq: 1 OPTIONS']))
  })

  it('reads the key in bytes past look-alike names, blanks before the colon and bare-LF line ends', () => {
    same(bytes(['BYE sip:b@192.0.2.1 SIP/2.0', VIA, 'Tox: <sip:x@y>;tag=not', 'Call-IDs: no', FROM, 'To  : <sip:b@192.0.2.1>;tag=ourtag', 'Call-ID: c1', 'CSeq: 2 BYE']))
    same(bytes(['OPTIONS sip:192.0.2.1 SIP/2.0', VIA, FROM, 'T: <sip:192.0.2.1>', 'CALL-id:c7', 'CSeq: 1 OPTIONS', 'Max-Forwards: 70']))
    same(Buffer.from(['BYE sip:b@192.0.2.1 SIP/2.0', VIA, FROM, 'To: <sip:b@192.0.2.1>;tag=lf', 'Call-ID: c1', 'CSeq: 2 BYE', 'Content-Length: 0', '', ''].join('\n')))
    same(bytes(['SIP/2.0 180 Ringing', FROM, 'To: <sip:b@x>;tag=t9', 'Via: SIP/2.0/UDP 192.0.2.1;BRANCH = z9hG4bKlater ;rport', 'Call-ID: c1', 'CSeq: 1 INVITE']))
    // A continuation line of another header sends the walk the parser's way, which joins it.
    same(bytes(['BYE sip:b@192.0.2.1 SIP/2.0', VIA, 'Subject: one', '  two', 'To: <sip:b@192.0.2.1>;tag=after', 'Call-ID: c1', 'CSeq: 2 BYE']))
  })

  it('names the worker of a response\'s branch even when its Via is malformed before the parameters', () => {
    const b = bytes(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP bad host:x;branch=z9hG4bK1abc', FROM, 'To: <sip:b@x>;tag=t9', 'Call-ID: c1', 'CSeq: 1 INVITE'])
    expect(routingKeyOfBytes(b)).toEqual({ source: 'via-branch', value: 'z9hG4bK1abc' })
    expect(routingKeyOfBytes(bytes(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 192.0.2.1;branch', FROM, 'Call-ID: c1', 'CSeq: 1 INVITE']))).toBeUndefined()
  })

  it('agrees with a parse on every message of the RFC 4475 torture corpus that parses', () => {
    const dir = fileURLToPath(new URL('../conformance/test-support/rfc4475/', import.meta.url))
    let compared = 0
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.dat'))) {
      const b = readFileSync(join(dir, f))
      const r = parseMessage(b)
      if (!r.ok) continue
      expect(routingKeyOfBytes(b), f).toEqual(routingKey(r.message))
      compared++
    }
    expect(compared).toBeGreaterThan(20)
  })

  it('has no key for bytes that are no SIP head', () => {
    expect(routingKeyOfBytes(Buffer.from('\r\n\r\n'))).toBeUndefined()
    expect(routingKeyOfBytes(Buffer.from('hello'))).toBeUndefined()
    expect(routingKeyOfBytes(Buffer.alloc(0))).toBeUndefined()
  })
})
