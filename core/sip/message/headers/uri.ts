// SIP, SIPS and tel URI parser (RFC 3261 §19.1, §25.1; RFC 3966); other schemes are kept opaque.
import { TOKEN } from './lexer.js'
import { NO_PARAMS, type Params } from './params.js'

export interface SipUri {
  scheme: 'sip' | 'sips'
  /** userinfo user part with %-escapes decoded. */
  user?: string
  password?: string
  /** Host as written (lowercased); IPv6 references keep their brackets. */
  host: string
  port?: number
  /** uri-parameters, lowercase names, values %-decoded; null for a flag such as `lr`. */
  params: Params
  /** URI headers after '?', names as written, values %-decoded; NO_URI_HEADERS when there are none. */
  headers: ReadonlyMap<string, string>
  raw: string
}

export interface TelUri {
  scheme: 'tel'
  /** The telephone-subscriber number as written (global "+..." or local). */
  number: string
  params: Params
  raw: string
}

export interface OpaqueUri {
  /** Lowercase scheme of a URI we do not interpret (http, isbn, urn...). */
  scheme: string
  opaque: string
  raw: string
}

export type Uri = SipUri | TelUri | OpaqueUri

/** The headers of a URI without '?': one shared Map, never written (a Request-URI or Contact almost never has any). */
export const NO_URI_HEADERS: ReadonlyMap<string, string> = new Map()

/** Narrows a parsed URI to sip/sips. */
export function isSipUri(u: Uri): u is SipUri {
  return u.scheme === 'sip' || u.scheme === 'sips'
}

/** Length of a valid scheme at the start of s (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )), 0 if none. */
export function schemeLength(s: string): number {
  const c0 = s.charCodeAt(0) | 0x20
  if (!(c0 >= 97 && c0 <= 122)) return 0
  let i = 1
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const l = c | 0x20
    if (!((l >= 97 && l <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) break
  }
  return s.charCodeAt(i) === 58 /* : */ ? i : 0
}

/** Decodes %HH escapes as UTF-8 (latin1 when not UTF-8); a '%' not followed by two hex digits stays literal. */
export function unescapePercent(s: string): string {
  if (s.indexOf('%') === -1) return s
  const bytes: number[] = []
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 37 && i + 2 < s.length + 0 && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16))
      i += 2
    } else if (c < 128) bytes.push(c)
    else for (const b of Buffer.from(s[i] ?? '', 'utf8')) bytes.push(b)
  }
  const buf = Buffer.from(bytes)
  return buf.toString(isUtf8Bytes(buf) ? 'utf8' : 'latin1')
}

function isUtf8Bytes(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf)
    return true
  } catch {
    return false
  }
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102)
}

/** RFC 3261 §25.1 unreserved + escaped + the user/password/param/header extra characters; no whitespace, quotes or <>. */
function isUriChar(c: number): boolean {
  return c > 32 && c < 127 && c !== 34 && c !== 60 && c !== 62 && c !== 92 && c !== 94 && c !== 123 && c !== 125 && c !== 124
}

/** Parses a URI; returns undefined when it is malformed (bad bytes are values). RFC 3261 §19.1.1. */
export function parseUri(raw: string): Uri | undefined {
  const sl = schemeLength(raw)
  if (sl === 0) return undefined
  for (let i = sl + 1; i < raw.length; i++) if (!isUriChar(raw.charCodeAt(i))) return undefined
  const scheme = raw.slice(0, sl).toLowerCase()
  const rest = raw.slice(sl + 1)
  if (scheme === 'sip' || scheme === 'sips') return parseSip(scheme, rest, raw)
  if (scheme === 'tel') return parseTel(rest, raw)
  if (rest.length === 0) return undefined
  return { scheme, opaque: rest, raw }
}

function parseSip(scheme: 'sip' | 'sips', s: string, raw: string): SipUri | undefined {
  // RFC 3261 §25.1: '@' may not appear in host, params or headers, so the last '@' ends the userinfo.
  const at = s.lastIndexOf('@')
  let user: string | undefined
  let password: string | undefined
  let i = 0
  if (at !== -1) {
    const userinfo = s.slice(0, at)
    const colon = userinfo.indexOf(':')
    const u = colon === -1 ? userinfo : userinfo.slice(0, colon)
    if (u.length === 0) return undefined
    user = unescapePercent(u)
    if (colon !== -1) password = unescapePercent(userinfo.slice(colon + 1))
    i = at + 1
  }
  i = scanHostPort(s, i)
  if (i === -1) return undefined
  const host = hostPort.host
  const port = hostPort.port
  let params: Map<string, string | null> | undefined
  let headers: Map<string, string> | undefined
  while (i < s.length && s.charCodeAt(i) === 59) {
    let j = i + 1
    while (j < s.length && s.charCodeAt(j) !== 59 && s.charCodeAt(j) !== 63) j++
    const p = s.slice(i + 1, j)
    if (p.length === 0) return undefined
    const eq = p.indexOf('=')
    const name = unescapePercent(eq === -1 ? p : p.slice(0, eq)).toLowerCase()
    if (name.length === 0) return undefined
    ;(params ??= new Map()).set(name, eq === -1 ? null : unescapePercent(p.slice(eq + 1)))
    i = j
  }
  if (i < s.length) {
    if (s.charCodeAt(i) !== 63) return undefined
    for (const h of s.slice(i + 1).split('&')) {
      const eq = h.indexOf('=')
      if (eq <= 0) return undefined
      ;(headers ??= new Map()).set(unescapePercent(h.slice(0, eq)), unescapePercent(h.slice(eq + 1)))
    }
  }
  const uri: SipUri = { scheme, host, params: params ?? NO_PARAMS, headers: headers ?? NO_URI_HEADERS, raw }
  if (user !== undefined) uri.user = user
  if (password !== undefined) uri.password = password
  if (port !== undefined) uri.port = port
  return uri
}

/** Where scanHostPort leaves the host and port it read: one scan at a time, read before the next (no object per scan). */
export const hostPort: { host: string; port: number | undefined } = { host: '', port: undefined }

/**
 * Scans host [":" port] at s[i] (RFC 3261 §25.1 hostport) into hostPort, hostnames lowercased and IPv6 kept in
 * brackets; returns the index after it, or -1 when malformed.
 */
export function scanHostPort(s: string, i: number): number {
  const n = s.length
  let host: string
  if (s.charCodeAt(i) === 91 /* [ */) {
    const close = s.indexOf(']', i)
    if (close === -1) return -1
    const inner = s.slice(i + 1, close)
    if (inner.length < 2 || !/^[0-9a-fA-F:.]+$/.test(inner) || inner.indexOf(':') === -1) return -1
    host = '[' + inner.toLowerCase() + ']'
    i = close + 1
  } else {
    const start = i
    while (i < n) {
      const c = s.charCodeAt(i)
      const l = c | 0x20
      if ((l >= 97 && l <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46) i++
      else break
    }
    if (i === start) return -1
    host = s.slice(start, i).toLowerCase()
    const c0 = host.charCodeAt(0)
    if (c0 === 45 || c0 === 46) return -1
  }
  let port: number | undefined
  if (i < n && s.charCodeAt(i) === 58) {
    const ps = ++i
    let p = 0
    while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) p = p * 10 + s.charCodeAt(i++) - 48
    if (i === ps || i - ps > 5 || p > 65535) return -1
    port = p
  }
  hostPort.host = host
  hostPort.port = port
  return i
}

function parseTel(s: string, raw: string): TelUri | undefined {
  const semi = s.indexOf(';')
  const number = semi === -1 ? s : s.slice(0, semi)
  if (number.length === 0) return undefined
  for (let i = 0; i < number.length; i++) {
    const c = number.charCodeAt(i)
    // RFC 3966 §3: digits, visual separators, "+", DTMF and hex digits for local numbers.
    if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 40 || c === 41 || c === 42 || c === 35 || ((c | 0x20) >= 97 && (c | 0x20) <= 102) || c === 112 || c === 119)) return undefined
  }
  if (semi === -1) return { scheme: 'tel', number, params: NO_PARAMS, raw }
  const params = new Map<string, string | null>()
  for (const p of s.slice(semi + 1).split(';')) {
    const eq = p.indexOf('=')
    const name = (eq === -1 ? p : p.slice(0, eq)).toLowerCase()
    if (name.length === 0) return undefined
    for (let k = 0; k < name.length; k++) if (TOKEN[name.charCodeAt(k)] !== 1) return undefined
    params.set(name, eq === -1 ? null : unescapePercent(p.slice(eq + 1)))
  }
  return { scheme: 'tel', number, params, raw }
}
