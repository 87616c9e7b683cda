// IP parsing, canonical CIDR blocks and the public/special-purpose split used by webhook URLs and the IP access lists.
import { describe, expect, it } from 'vitest'
import { canonicalIp, cidrContains, parseCidr, parseIp, privateUrlHostIssue, specialRange } from './address.js'

describe('addresses', () => {
  it('reads IPv4-mapped IPv6 as IPv4 and refuses legacy numeric forms, zones and names', () => {
    expect(canonicalIp('::ffff:192.0.2.1')).toBe('192.0.2.1')
    expect(canonicalIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1')
    for (const bad of ['127.1', '0x7f.0.0.1', 'fe80::1%eth0', 'example.com', '1.2.3.4.5', '']) expect(parseIp(bad)).toBeNull()
  })

  it('canonicalises CIDR blocks, clearing host bits, and treats a bare address as a /32 or /128', () => {
    expect(parseCidr('198.51.100.7/24')?.text).toBe('198.51.100.0/24')
    expect(parseCidr('203.0.113.7')?.text).toBe('203.0.113.7/32')
    expect(parseCidr('2001:db8::1/32')?.text).toBe('2001:db8::/32')
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/x', '::/129', 'a/8']) expect(parseCidr(bad)).toBeNull()
    const block = parseCidr('10.1.0.0/16')!
    expect(cidrContains(block, parseIp('10.1.200.3')!)).toBe(true)
    expect(cidrContains(block, parseIp('10.2.0.1')!)).toBe(false)
    expect(cidrContains(block, parseIp('::ffff:10.1.0.9')!)).toBe(true)
    expect(cidrContains(block, parseIp('2001:db8::1')!)).toBe(false)
  })

  it('names the special-purpose range of loopback, private, link-local (metadata), CGNAT and ULA addresses, none for public ones', () => {
    expect(specialRange(parseIp('127.0.0.1')!)).toBe('loopback')
    expect(specialRange(parseIp('10.0.0.1')!)).toBe('private')
    expect(specialRange(parseIp('169.254.169.254')!)).toBe('linkLocal')
    expect(specialRange(parseIp('100.64.0.1')!)).toBe('carrierGradeNat')
    expect(specialRange(parseIp('fd00:ec2::254')!)).toBe('uniqueLocal')
    expect(specialRange(parseIp('::1')!)).toBe('loopback')
    expect(specialRange(parseIp('0.0.0.0')!)).toBe('unspecified')
    expect(specialRange(parseIp('8.8.8.8')!)).toBeNull()
    expect(specialRange(parseIp('2606:4700::1111')!)).toBeNull()
  })

  it('flags URLs whose host is a special-purpose literal or an internal name, in every spelling the URL parser normalises', () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/', 'http://127.0.0.1:8787/', 'http://[::1]/', 'http://[::ffff:7f00:1]/x', 'http://2130706433/',
      'http://0x7f000001/', 'http://10.0.0.5/', 'https://localhost/', 'http://metadata.google.internal/', 'http://printer.local/', 'http://intranet/',
    ]) expect(privateUrlHostIssue(url), url).not.toBeNull()
    for (const url of ['https://hooks.example.com/x', 'http://8.8.8.8/', 'https://[2606:4700::1111]/']) expect(privateUrlHostIssue(url), url).toBeNull()
  })
})
