// WWW-Authenticate / Proxy-Authenticate challenges and Authorization / Proxy-Authorization credentials (RFC 3261 §20.7, §25.1; RFC 7616/8760).
import { TOKEN, readQuoted, skipWs, trimWs } from './lexer.js'

export interface AuthHeader {
  /** Scheme as written ('Digest' for RFC 3261 / RFC 8760; others are kept for a 401 with our own scheme). */
  scheme: string
  /** auth-params by lowercase name, quoted values unescaped (realm, nonce, uri, response, algorithm, qop...). */
  params: Map<string, string>
}

function readToken(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i)
    if (c >= 128 || TOKEN[c] !== 1) break
    i++
  }
  return i
}

/** Receives each auth-param of a header being scanned: its name as `s[ns, ne)` (any case) and its value, unquoted. */
interface ParamSink {
  param(s: string, ns: number, ne: number, value: string): void
}

/**
 * Scans `scheme LWS auth-param *(COMMA auth-param)` (RFC 3261 §25.1 challenge/credentials), handing each parameter to
 * `sink`; returns the end of the scheme in the trimmed value, or -1 when malformed.
 */
function scanAuth(s: string, sink: ParamSink): number {
  const se = readToken(s, 0)
  if (se === 0) return -1
  let i = skipWs(s, se)
  if (i === se && i < s.length) return -1
  while (i < s.length) {
    const ns = i
    i = readToken(s, i)
    if (i === ns) return -1
    const ne = i
    i = skipWs(s, i)
    if (s.charCodeAt(i) !== 61) return -1
    i = skipWs(s, i + 1)
    let v: string
    if (s.charCodeAt(i) === 34) {
      // A quoted value without escapes is a slice of the header; one with escapes is unescaped.
      let j = i + 1
      while (j < s.length) {
        const c = s.charCodeAt(j)
        if (c === 34 || c === 92) break
        j++
      }
      if (j >= s.length) return -1
      if (s.charCodeAt(j) === 34) {
        v = s.slice(i + 1, j)
        i = j + 1
      } else {
        const q = readQuoted(s, i)
        if (q === undefined) return -1
        v = q.value
        i = q.end
      }
    } else {
      const vs = i
      i = readToken(s, i)
      if (i === vs) return -1
      v = s.slice(vs, i)
    }
    sink.param(s, ns, ne, v)
    i = skipWs(s, i)
    if (i < s.length) {
      if (s.charCodeAt(i) !== 44) return -1
      i = skipWs(s, i + 1)
    }
  }
  return se
}

class MapSink implements ParamSink {
  readonly params = new Map<string, string>()

  param(s: string, ns: number, ne: number, value: string): void {
    this.params.set(s.slice(ns, ne).toLowerCase(), value)
  }
}

/** Parses `scheme LWS auth-param *(COMMA auth-param)`; undefined when malformed. RFC 3261 §25.1 challenge/credentials. */
export function parseAuthHeader(value: string): AuthHeader | undefined {
  const s = trimWs(value)
  const sink = new MapSink()
  const se = scanAuth(s, sink)
  return se < 0 ? undefined : { scheme: s.slice(0, se), params: sink.params }
}

/** True when `s[ns, ne)` is `lower` in any case (`lower`: lowercase letters only). */
function nameIs(s: string, ns: number, ne: number, lower: string): boolean {
  if (ne - ns !== lower.length) return false
  for (let k = 0; k < lower.length; k++) if ((s.charCodeAt(ns + k) | 0x20) !== lower.charCodeAt(k)) return false
  return true
}

/**
 * The parameters of Digest credentials a server checks (RFC 7616 §3.4), undefined when absent; a repeated one keeps
 * its last value, as `parseAuthHeader`'s map does. Others are checked for syntax and skipped.
 */
export class DigestCredentials implements ParamSink {
  username: string | undefined = undefined
  realm: string | undefined = undefined
  nonce: string | undefined = undefined
  uri: string | undefined = undefined
  response: string | undefined = undefined
  cnonce: string | undefined = undefined
  nc: string | undefined = undefined
  qop: string | undefined = undefined
  algorithm: string | undefined = undefined

  param(s: string, ns: number, ne: number, value: string): void {
    switch (ne - ns) {
      case 2: if (nameIs(s, ns, ne, 'nc')) this.nc = value; break
      case 3:
        if (nameIs(s, ns, ne, 'uri')) this.uri = value
        else if (nameIs(s, ns, ne, 'qop')) this.qop = value
        break
      case 5:
        if (nameIs(s, ns, ne, 'realm')) this.realm = value
        else if (nameIs(s, ns, ne, 'nonce')) this.nonce = value
        break
      case 6: if (nameIs(s, ns, ne, 'cnonce')) this.cnonce = value; break
      case 8:
        if (nameIs(s, ns, ne, 'username')) this.username = value
        else if (nameIs(s, ns, ne, 'response')) this.response = value
        break
      case 9: if (nameIs(s, ns, ne, 'algorithm')) this.algorithm = value; break
    }
  }
}

/**
 * Parses credentials of the Digest scheme (any case) into their checked fields, without a map of every parameter;
 * undefined when malformed (as `parseAuthHeader`) or of another scheme.
 */
export function parseDigestCredentials(value: string): DigestCredentials | undefined {
  const s = trimWs(value)
  const creds = new DigestCredentials()
  const se = scanAuth(s, creds)
  return se === 6 && nameIs(s, 0, 6, 'digest') ? creds : undefined
}

/** RFC 7616 §3.3/§3.4: parameters always sent quoted (a challenge also quotes qop: pass it in `quoted`). */
export const ALWAYS_QUOTED: ReadonlySet<string> = new Set(['realm', 'nonce', 'uri', 'response', 'cnonce', 'opaque', 'domain', 'username'])

/** Serializes an auth header: names in `quoted` and non-token values quoted, the rest bare (RFC 7616 §3.3, §3.4). */
export function formatAuthHeader(h: AuthHeader, quoted: ReadonlySet<string> = ALWAYS_QUOTED): string {
  const parts: string[] = []
  for (const [k, v] of h.params) {
    const bare = !quoted.has(k) && v.length > 0 && [...v].every((ch) => ch.charCodeAt(0) < 128 && TOKEN[ch.charCodeAt(0)] === 1)
    parts.push(k + '=' + (bare ? v : '"' + v.replace(/(["\\])/g, '\\$1') + '"'))
  }
  return parts.length === 0 ? h.scheme : h.scheme + ' ' + parts.join(', ')
}
