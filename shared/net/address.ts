// IP addresses and CIDR blocks (ipaddr.js, runs on Workers and Node): parsing, one canonical text form, and which addresses are public.
import ipaddr from 'ipaddr.js'

/** WHATWG URL, on Workers and Node alike (shared/ compiles without DOM or Node types). */
declare const URL: new (url: string) => { readonly hostname: string }

/** A parsed address; IPv4-mapped IPv6 (`::ffff:192.0.2.1`, from dual-stack sockets) is its IPv4 address. */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6

/** The address, or null when `text` is not an IPv4 or IPv6 literal (no brackets, no zone). */
export function parseIp(text: string): IpAddress | null {
  if (!ipaddr.isValid(text) || text.includes('%')) return null
  // isValid accepts the legacy forms inet_aton takes (`127.1`, `0x7f.1`); only four-part decimal counts as IPv4 here.
  if (ipaddr.IPv4.isValid(text) && !ipaddr.IPv4.isValidFourPartDecimal(text)) return null
  const ip = ipaddr.parse(text)
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip
}

/** The canonical text of an address (dotted IPv4, RFC 5952 IPv6), or null when it does not parse. */
export function canonicalIp(text: string): string | null {
  const ip = parseIp(text)
  return ip === null ? null : ip.kind() === 'ipv4' ? ip.toString() : (ip as ipaddr.IPv6).toRFC5952String()
}

/** A CIDR block in canonical form: network address with host bits cleared, and its prefix length. */
export interface Cidr {
  /** `198.51.100.0/24`, `2001:db8::/32`, `203.0.113.7/32` */
  readonly text: string
  readonly address: string
  readonly prefix: number
  readonly family: 'ipv4' | 'ipv6'
}

/**
 * Parses `1.2.3.4`, `1.2.3.0/24`, `2001:db8::/32` (a bare address is its /32 or /128); host bits are cleared, so
 * `198.51.100.7/24` is `198.51.100.0/24`. Null when it is neither.
 */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/')
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash))
  if (ip === null) return null
  const family = ip.kind()
  const max = family === 'ipv4' ? 32 : 128
  let prefix = max
  if (slash !== -1) {
    const p = text.slice(slash + 1)
    if (!/^\d{1,3}$/.test(p)) return null
    prefix = Number(p)
    if (prefix > max) return null
  }
  const network = family === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(`${ip.toString()}/${prefix}`).toString()
    : ipaddr.IPv6.networkAddressFromCIDR(`${ip.toString()}/${prefix}`).toRFC5952String()
  return { text: `${network}/${prefix}`, address: network, prefix, family }
}

/** True when the address lies in the block. */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (ip.kind() !== cidr.family) return false
  return ip.match(ipaddr.parse(cidr.address), cidr.prefix)
}

/**
 * The special-purpose range an address falls in (`loopback`, `private`, `linkLocal` - where cloud metadata
 * services live -, `uniqueLocal`, `carrierGradeNat`, `reserved`, ...), or null for a public unicast address.
 */
export function specialRange(ip: IpAddress): string | null {
  const range = ip.range()
  return range === 'unicast' ? null : range
}

/** Host names that never leave the machine or its private network (RFC 6761 localhost, RFC 8375 home.arpa, mDNS .local, cloud `.internal`). */
const INTERNAL_SUFFIXES = ['localhost', 'local', 'internal', 'home.arpa', 'localdomain']

/** True when a host name (not an IP literal) names the machine itself or a private network by convention. */
export function isInternalHostname(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '')
  return !h.includes('.') || INTERNAL_SUFFIXES.some((s) => h === s || h.endsWith('.' + s))
}

/**
 * Why a URL's host is not a public destination (an IP literal in a special-purpose range, or an internal name), or
 * null when nothing in the URL itself says so; a name can still resolve to a private address (check that too).
 */
export function privateUrlHostIssue(url: string): string | null {
  let host: string
  try {
    host = new URL(url).hostname
  } catch {
    return 'not a URL'
  }
  const literal = host.startsWith('[') ? host.slice(1, -1) : host
  const ip = parseIp(literal)
  if (ip !== null) {
    const range = specialRange(ip)
    return range === null ? null : `${literal} is a ${range} address`
  }
  if (/^[\d.]+$/.test(literal) || /^0x/i.test(literal)) return `${literal} is a numeric host that is not a dotted IPv4 address`
  return isInternalHostname(literal) ? `${literal} names a local or internal host` : null
}
