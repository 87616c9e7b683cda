// Via parsing: RFC 3261 §20.42 and §25.1 (sent-protocol with LWS, sent-by, via-params), RFC 3581 rport.
import { describe, expect, it } from 'vitest'
import { parseVia } from './via.js'

describe('parseVia', () => {
  it('parses transport, sent-by, branch, received and a filled rport', () => {
    expect(parseVia('SIP/2.0/udp 192.0.2.1:5070;branch=z9hG4bK77;received=198.51.100.1;rport=6000')).toMatchObject({
      protocol: 'SIP/2.0', transport: 'UDP', host: '192.0.2.1', port: 5070, branch: 'z9hG4bK77', received: '198.51.100.1', rport: 6000,
    })
  })

  it('accepts LWS around slashes, colon and parameters', () => {
    expect(parseVia('SIP / 2.0 / TCP  host.example.com : 5060 ; branch = z9hG4bK1')).toMatchObject({ host: 'host.example.com', port: 5060, branch: 'z9hG4bK1' })
  })

  it('reads a bare rport as true and IPv6 sent-by', () => {
    expect(parseVia('SIP/2.0/UDP [2001:db8::9];rport')).toMatchObject({ host: '[2001:db8::9]', rport: true })
  })

  it('reads all parameters on demand, a repeated one with its last value', () => {
    const v = parseVia('SIP/2.0/UDP h;branch=z9hG4bK1;Foo="a b";rport;branch=z9hG4bK2;lr')!
    expect(v.branch).toBe('z9hG4bK2')
    expect(v.rport).toBe(true)
    expect(v.params).toEqual(new Map<string, string | null>([['branch', 'z9hG4bK2'], ['foo', 'a b'], ['rport', null], ['lr', null]]))
    expect(parseVia('SIP/2.0/UDP h')!.params.size).toBe(0)
  })

  it('rejects a repeated branch whose last value is not a token, and a bad rport', () => {
    expect(parseVia('SIP/2.0/UDP h;branch=z9hG4bK1;branch')).toBeUndefined()
    expect(parseVia('SIP/2.0/UDP h;rport=70000')).toBeUndefined()
    expect(parseVia('SIP/2.0/UDP h;received;received=1.2.3.4')?.received).toBe('1.2.3.4')
    expect(parseVia('SIP/2.0/UDP h;received=1.2.3.4;received')?.received).toBeUndefined()
  })

  it('rejects empty parameters, missing host and bad ports', () => {
    for (const v of ['SIP/2.0/UDP 192.0.2.15;;', 'SIP/2.0/UDP', 'SIP/2.0 host', 'SIP/2.0/UDP h:70000', 'SIP/2.0/UDP h;branch=']) expect(parseVia(v)).toBeUndefined()
  })
})
