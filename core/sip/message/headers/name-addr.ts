// name-addr / addr-spec parser for From, To, Contact, Route, Record-Route and similar (RFC 3261 §20.10, §25.1).
import { TOKEN, isWs, readQuoted, skipWs, trimWs } from './lexer.js'
import { ParamScanner, type Params, TextParams } from './params.js'
import { schemeLength } from './uri.js'

export interface NameAddr {
  displayName?: string
  /** The URI as written inside <> (or the bare addr-spec); parse it with parseUri when needed. */
  uri: string
  tag?: string
  /** Header parameters after the address (tag, expires, q, lr...), lowercase names. */
  params: Params
}

/**
 * A name-addr read from text: the tag is picked out while the parameters are checked, and the parameter Map is built
 * from the text only when something reads `params` (From and To need only their tag).
 */
class TextNameAddr extends TextParams implements NameAddr {
  displayName: string | undefined = undefined
  tag: string | undefined = undefined

  constructor(
    public uri: string,
    text: string,
    paramsAt: number,
  ) {
    super(text, paramsAt)
  }
}

/** The name-addr parser's scanner (never re-entered). */
const SCAN = new ParamScanner()

function isUriShape(s: string): boolean {
  if (schemeLength(s) === 0) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c <= 32 || c === 60 || c === 62 || c === 34 || c >= 127) return false
  }
  return true
}

/** Validates an unquoted display-name: *(token LWS) (RFC 3261 §25.1); returns it trimmed or undefined. */
function tokenDisplayName(s: string): string | undefined {
  const t = trimWs(s)
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i)
    if (!isWs(c) && (c >= 128 || TOKEN[c] !== 1)) return undefined
  }
  return t
}

/** Parses one name-addr or addr-spec with its header params; undefined when malformed. RFC 3261 §20.10. */
export function parseNameAddr(value: string): NameAddr | undefined {
  const s = trimWs(value)
  let displayName: string | undefined
  let i = 0
  let uri: string
  if (s.charCodeAt(0) === 34) {
    const q = readQuoted(s, 0)
    if (q === undefined) return undefined
    displayName = q.value
    i = skipWs(s, q.end)
    if (s.charCodeAt(i) !== 60) return undefined
  } else {
    const lt = s.indexOf('<')
    if (lt !== -1) {
      const dn = tokenDisplayName(s.slice(0, lt))
      if (dn === undefined) return undefined
      if (dn.length > 0) displayName = dn
      i = lt
    }
  }
  if (s.charCodeAt(i) === 60) {
    const gt = s.indexOf('>', i)
    if (gt === -1) return undefined
    uri = s.slice(i + 1, gt)
    // RFC 3261 §25.1: LAQUOT addr-spec RAQUOT, no whitespace inside the brackets.
    if (!isUriShape(uri)) return undefined
    i = gt + 1
  } else {
    // addr-spec form: RFC 3261 §20.10 forbids ',', ';' and '?' in an unbracketed URI.
    let j = 0
    while (j < s.length && s.charCodeAt(j) !== 59 && !isWs(s.charCodeAt(j))) j++
    uri = s.slice(0, j)
    if (!isUriShape(uri) || uri.indexOf('?') !== -1 || uri.indexOf(',') !== -1) return undefined
    i = j
  }
  // The last of a repeated tag counts, as in the Map.
  let tag: string | null | undefined
  const scan = SCAN.start(s, i)
  while (scan.next()) if (scan.name === 'tag') tag = scan.value
  if (!scan.ok) return undefined
  const na = new TextNameAddr(uri, s, i)
  if (displayName !== undefined) na.displayName = displayName
  if (tag !== undefined) {
    if (tag === null || tag.length === 0) return undefined
    na.tag = tag
  }
  return na
}

/** Parses a list of name-addr values (already split at top-level commas); undefined if any is malformed. */
export function parseNameAddrList(values: readonly string[]): NameAddr[] | undefined {
  if (values.length === 1) {
    // The usual single value as a literal: an empty array's first push reserves 16 slots.
    const na = parseNameAddr(values[0]!)
    return na === undefined ? undefined : [na]
  }
  const out: NameAddr[] = []
  for (const v of values) {
    const na = parseNameAddr(v)
    if (na === undefined) return undefined
    out.push(na)
  }
  return out
}
