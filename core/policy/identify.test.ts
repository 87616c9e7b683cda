// Covers ingress identification by source address (docs/architecture.md "Ingress authentication": ip, ip_port, password modes); RFC 3261 §18.2.1 source, never Via.
import { describe, expect, it } from 'vitest'
import { acceptsDigest, identifySource, passwordSourceAllowed, sourceIp } from './identify.js'
import { mappingGateway, policySnapshot } from './test-support/policy-inputs.js'

const from = (address: string, port: number) => ({ address, port, family: address.includes(':') ? 'IPv6' as const : 'IPv4' as const })

describe('identifySource', () => {
  const s = policySnapshot()

  it('finds an ip gateway from any source port', () => {
    expect(identifySource(s, from('192.0.2.10', 5060))?.id).toBe('mgIp')
    expect(identifySource(s, from('192.0.2.10', 40000))?.id).toBe('mgIp')
  })

  it('finds an ip_port gateway only from its own port', () => {
    expect(identifySource(s, from('192.0.2.20', 5060))?.id).toBe('mgPort')
    expect(identifySource(s, from('192.0.2.20', 5061))).toBeUndefined()
  })

  it('finds nothing for an unknown IP, and never a password gateway by address', () => {
    expect(identifySource(s, from('203.0.113.99', 5060))).toBeUndefined()
    const pw = policySnapshot({ mappingGateways: [mappingGateway('p', { authMode: 'password', username: 'u', password: 'x', ips: ['192.0.2.30'] })] })
    expect(identifySource(pw, from('192.0.2.30', 5060))).toBeUndefined()
  })

  it('treats an IPv4-mapped IPv6 source as its IPv4 address', () => {
    expect(sourceIp('::ffff:192.0.2.10')).toBe('192.0.2.10')
    expect(sourceIp('2001:db8::1')).toBe('2001:db8::1')
    expect(identifySource(s, from('::ffff:192.0.2.10', 5060))?.id).toBe('mgIp')
  })
})

describe('acceptsDigest / passwordSourceAllowed', () => {
  it('challenges unknown sources only when some password gateway exists', () => {
    expect(acceptsDigest(policySnapshot())).toBe(true)
    expect(acceptsDigest(policySnapshot({ mappingGateways: [mappingGateway('i', { authMode: 'ip', ips: ['192.0.2.1'] })] }))).toBe(false)
  })

  it('accepts a password gateway from anywhere unless it lists IPs', () => {
    const open = mappingGateway('a', { authMode: 'password', username: 'a', password: 'x' })
    const pinned = mappingGateway('b', { authMode: 'password', username: 'b', password: 'x', ips: ['192.0.2.30'] })
    expect(passwordSourceAllowed(open, from('203.0.113.5', 1))).toBe(true)
    expect(passwordSourceAllowed(pinned, from('192.0.2.30', 1))).toBe(true)
    expect(passwordSourceAllowed(pinned, from('192.0.2.31', 1))).toBe(false)
  })
})
