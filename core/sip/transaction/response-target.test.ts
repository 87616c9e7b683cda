// Covers RFC 3261 §18.2.1 (received), RFC 3581 §4 (rport) and the §18.2.2 response target, with our answer-the-source deviation.
import { describe, expect, it } from 'vitest'
import { parseVia } from '../message/headers/via.js'
import { parseMessage } from '../message/parse.js'
import type { SipRequest } from '../message/message.js'
import type { RemoteAddr } from '../../transport/types.js'
import { peerRequest } from './test-support/loop-stack.js'
import { responseTarget, stampReceived } from './response-target.js'

function req(via: string): SipRequest {
  const r = parseMessage(Buffer.from(peerRequest({ method: 'OPTIONS', via }).replaceAll('\n', '\r\n')))
  if (!r.ok || !r.message.isRequest) throw new Error('fixture did not parse')
  return r.message
}

const src: RemoteAddr = { address: '198.51.100.7', port: 40123, family: 'IPv4' }

describe('stampReceived', () => {
  it('caches the stamped top Via exactly as parsing the rewritten header would, and reuses it as vias[0]', () => {
    for (const via of ['SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKa;rport', 'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa;x="q v", SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKb']) {
      const r = req(via)
      stampReceived(r, src)
      expect(r.topVia).toEqual(parseVia(r.headers.get('via')!))
      expect(r.topVia?.params).toEqual(parseVia(r.headers.get('via')!)?.params)
      expect(r.vias?.[0]).toBe(r.topVia)
      expect(r.vias?.slice(1)).toEqual(r.headers.getAll('via').slice(1).map((v) => parseVia(v)))
    }
  })

  it('fills rport and adds received even when the host matches (RFC 3581 §4)', () => {
    const r = req('SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKa;rport')
    expect(stampReceived(r, src)).toBe(true)
    expect(r.headers.get('via')).toBe('SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKa;rport=40123;received=198.51.100.7')
  })

  it('adds received only when the sent-by host differs and leaves other Vias alone', () => {
    const r = req('SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa, SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKb')
    stampReceived(r, src)
    expect(r.headers.getAll('via')).toEqual(['SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa;received=198.51.100.7', 'SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKb'])
    const same = req('SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKa')
    expect(stampReceived(same, src)).toBe(false)
  })

  it('writes a repeated parameter once, with its last value, as the parsed parameters hold it', () => {
    const r = req('SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa;x=1;rport;X=2')
    stampReceived(r, src)
    expect(r.headers.get('via')).toBe('SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa;x=2;rport=40123;received=198.51.100.7')
    expect(r.topVia?.params).toEqual(parseVia(r.headers.get('via')!)?.params)
    expect(r.topVia).toMatchObject({ branch: 'z9hG4bKa', rport: 40123, received: '198.51.100.7' })
  })

  it('stamps a Via without parameters without writing the parameters every parameterless value shares', () => {
    const r = req('SIP/2.0/UDP 10.0.0.1:5060')
    const other = parseVia('SIP/2.0/UDP 10.0.0.2')!
    stampReceived(r, src)
    expect(r.headers.get('via')).toBe('SIP/2.0/UDP 10.0.0.1:5060;received=198.51.100.7')
    expect(r.topVia?.params).toEqual(new Map([['received', '198.51.100.7']]))
    expect(other.params.size).toBe(0)
    expect(parseVia('SIP/2.0/UDP 10.0.0.3')!.params.size).toBe(0)
  })

  it('compares bracketed IPv6 sent-by hosts with the bare source address and re-quotes quoted params', () => {
    const v6: RemoteAddr = { address: '2001:db8::1', port: 5060, family: 'IPv6' }
    expect(stampReceived(req('SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKa'), v6)).toBe(false)
    const q = req('SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa;x="a b"')
    stampReceived(q, src)
    expect(q.headers.get('via')).toBe('SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa;x="a b";received=198.51.100.7')
  })
})

describe('responseTarget', () => {
  it('answers the source port when rport was requested', () => {
    expect(responseTarget(req('SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bKa;rport').topVia!, src, false)).toEqual(src)
  })

  it('answers the source address at the sent-by port (default 5060) without rport, never the Via host', () => {
    expect(responseTarget(req('SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bKa').topVia!, src, false)).toEqual({ ...src, port: 5062 })
    expect(responseTarget(req('SIP/2.0/UDP evil.example.com;branch=z9hG4bKa').topVia!, src, false)).toEqual({ ...src, port: 5060 })
  })

  it('answers the source as is on a reliable transport', () => {
    expect(responseTarget(req('SIP/2.0/TCP 10.0.0.1:5062;branch=z9hG4bKa').topVia!, src, true)).toEqual(src)
  })
})
