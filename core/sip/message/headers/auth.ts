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

/** Parses `scheme LWS auth-param *(COMMA auth-param)`; undefined when malformed. RFC 3261 §25.1 challenge/credentials. */
export function parseAuthHeader(value: string): AuthHeader | undefined {
  const s = trimWs(value)
  const se = readToken(s, 0)
  if (se === 0) return undefined
  const scheme = s.slice(0, se)
  const params = new Map<string, string>()
  let i = skipWs(s, se)
  if (i === se && i < s.length) return undefined
  // RFC 3261 §25.1 other-response allows a single token68-ish blob; keep it under the empty name.
  while (i < s.length) {
    const ns = i
    i = readToken(s, i)
    if (i === ns) return undefined
    const name = s.slice(ns, i).toLowerCase()
    i = skipWs(s, i)
    if (s.charCodeAt(i) !== 61) return undefined
    i = skipWs(s, i + 1)
    let v: string
    if (s.charCodeAt(i) === 34) {
      const q = readQuoted(s, i)
      if (q === undefined) return undefined
      v = q.value
      i = q.end
    } else {
      const vs = i
      i = readToken(s, i)
      if (i === vs) return undefined
      v = s.slice(vs, i)
    }
    params.set(name, v)
    i = skipWs(s, i)
    if (i < s.length) {
      if (s.charCodeAt(i) !== 44) return undefined
      i = skipWs(s, i + 1)
    }
  }
  return { scheme, params }
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
