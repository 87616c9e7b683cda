// Header name tables: compact forms, canonical display spellings and which headers are comma lists (RFC 3261 §7.3, §20).

/** RFC 3261 §7.3.3 and later RFCs' compact forms, mapped to canonical lowercase names. */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'accept-contact', // RFC 3841
  b: 'referred-by', // RFC 3892
  c: 'content-type',
  d: 'request-disposition', // RFC 3841
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact', // RFC 3841
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info', // RFC 4474
  o: 'event', // RFC 6665
  r: 'refer-to', // RFC 3515
  s: 'subject',
  t: 'to',
  u: 'allow-events', // RFC 6665
  v: 'via',
  x: 'session-expires', // RFC 4028
  y: 'identity', // RFC 4474
}

/** Canonical lowercase name for any spelling, with compact forms expanded. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase()
  if (lower.length === 1) return COMPACT_FORMS[lower] ?? lower
  return lower
}

/** Headers most messages carry, by canonical name: header-lines.ts recognises them in any case without a string, and `wireName` knows their usual spellings up front. */
export const COMMON_HEADERS: readonly string[] = [
  'via', 'from', 'to', 'call-id', 'cseq', 'contact', 'max-forwards', 'content-type', 'content-length', 'supported',
  'require', 'allow', 'user-agent', 'server', 'route', 'record-route', 'session-expires', 'min-se', 'expires',
  'p-asserted-identity', 'p-preferred-identity', 'privacy', 'remote-party-id', 'authorization', 'proxy-authorization',
  'www-authenticate', 'proxy-authenticate', 'reason', 'allow-events', 'accept', 'rseq', 'rack', 'date', 'subject',
  'timestamp', 'unsupported', 'proxy-require', 'content-disposition', 'content-encoding', 'warning', 'diversion',
  'retry-after', 'min-expires', 'event',
]

/** Raw header-name spelling -> canonical name; bounded so a flood of invented names cannot grow it. */
const WIRE_NAMES = new Map<string, string>()
const WIRE_NAMES_MAX = 1024

/**
 * Canonical name of a header name as spelled on the wire (`Via`, `CALL-ID`, `i`): a table hit for the spellings seen
 * before, so parsing a message lowercases no common header name and every name is one shared string.
 */
export function wireName(raw: string): string {
  const known = WIRE_NAMES.get(raw)
  if (known !== undefined) return known
  const canonical = canonicalName(raw)
  if (WIRE_NAMES.size < WIRE_NAMES_MAX) WIRE_NAMES.set(raw, canonical)
  return canonical
}

/** Expands a lowercase one-letter name; other names are returned unchanged. */
export function expandCompact(lower: string): string {
  return lower.length === 1 ? (COMPACT_FORMS[lower] ?? lower) : lower
}

const DISPLAY: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  'rack': 'RAck',
  'rseq': 'RSeq',
  'sip-etag': 'SIP-ETag',
  'sip-if-match': 'SIP-If-Match',
  'p-asserted-identity': 'P-Asserted-Identity',
  'p-preferred-identity': 'P-Preferred-Identity',
  'identity-info': 'Identity-Info',
  'min-se': 'Min-SE',
  'user-to-user': 'User-to-User',
}
const displayCache = new Map<string, string>()

/** Display spelling for output: `Via`, `Call-ID`, `CSeq`, `WWW-Authenticate`, else Title-Case per dash. */
export function displayName(canonical: string): string {
  const known = DISPLAY[canonical]
  if (known !== undefined) return known
  let d = displayCache.get(canonical)
  if (d === undefined) {
    d = canonical
      .split('-')
      .map((p) => (p.length === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1)))
      .join('-')
    if (displayCache.size < 1000) displayCache.set(canonical, d)
  }
  return d
}

/** Headers whose grammar is a comma-separated list (RFC 3261 §7.3.1), split by HeaderList.getAll. */
export const LIST_HEADERS: ReadonlySet<string> = new Set([
  'via', 'contact', 'route', 'record-route', 'path', 'service-route',
  'require', 'proxy-require', 'supported', 'unsupported', 'allow', 'allow-events',
  'accept', 'accept-encoding', 'accept-language', 'content-encoding', 'content-language',
  'in-reply-to', 'warning', 'call-info', 'alert-info', 'error-info',
  'p-asserted-identity', 'p-preferred-identity', 'history-info', 'reason',
  'accept-contact', 'reject-contact', 'request-disposition', 'security-client', 'security-server', 'security-verify',
])

for (const name of COMMON_HEADERS) {
  WIRE_NAMES.set(name, name)
  WIRE_NAMES.set(displayName(name), name)
}
for (const [letter, name] of Object.entries(COMPACT_FORMS)) {
  WIRE_NAMES.set(letter, name)
  WIRE_NAMES.set(letter.toUpperCase(), name)
}
