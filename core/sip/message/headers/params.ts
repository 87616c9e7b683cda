// Generic `;name[=value]` parameter lists for header fields (RFC 3261 §7.3.1 generic-param, §25.1).
import { NameTable, TOKEN, isWs, readQuoted, skipWs } from './lexer.js'

/** Header or URI parameters: lowercase names, value null for a bare flag; insertion order kept. Read-only: see NO_PARAMS. */
export type Params = ReadonlyMap<string, string | null>

/** The parameters of a value that has none: one shared Map, never written, instead of an empty Map per header or URI. */
export const NO_PARAMS: Params = new Map()

/** The token table held locally: an imported binding read in a loop costs a getter call when modules run through tsx. */
const TOKEN_CHARS: Uint8Array = TOKEN

/** Parameter names most headers carry, shared strings instead of a lowercased copy per parameter. */
const KNOWN_PARAMS = new NameTable(
  ['branch', 'tag', 'rport', 'received', 'lr', 'user', 'transport', 'expires', 'q', 'maddr', 'ttl', 'refresher', 'method', 'alias', 'ob', 'reg-id', '+sip.instance'].map((n) => [n, n] as const),
)

/** Characters allowed in an unquoted generic-param value: token plus host characters ("[", "]", ":"). */
function isValueChar(c: number): boolean {
  return c < 128 && (TOKEN_CHARS[c] === 1 || c === 58 || c === 91 || c === 93)
}

/**
 * Reads `*( SEMI generic-param )` from s[i] (which must be ';' or the end) to the end of s one parameter at a time,
 * allowing SWS around ';' and '=' (RFC 3261 §25.1), so a parser can take the parameters it needs without building a
 * Map. Quoted values keep their quotes' content unescaped. A scan runs to its end before the same scanner starts
 * another: each module keeps its own.
 */
export class ParamScanner {
  /** The parameter just read: lowercase name (usual names are shared strings), value null for a bare flag. */
  name = ''
  value: string | null = null
  /** False once the text proved malformed: an empty or malformed parameter, or anything after the parameters. */
  ok = true
  private s = ''
  private i = 0

  /** Starts a scan of s from i. */
  start(s: string, i: number): this {
    this.s = s
    this.i = skipWs(s, i)
    this.ok = true
    return this
  }

  /** Reads the next parameter into name and value; false at the end of the text (then ok says whether it was well formed). */
  next(): boolean {
    const s = this.s
    const n = s.length
    let i = this.i
    if (i >= n || !this.ok) return false
    if (s.charCodeAt(i) !== 59 /* ; */) return this.fail()
    i = skipWs(s, i + 1)
    const nameStart = i
    while (i < n) {
      const c = s.charCodeAt(i)
      if (c >= 128 || TOKEN_CHARS[c] !== 1) break
      i++
    }
    if (i === nameStart) return this.fail()
    this.name = KNOWN_PARAMS.lookup(s, nameStart, i) ?? s.slice(nameStart, i).toLowerCase()
    i = skipWs(s, i)
    let value: string | null = null
    if (i < n && s.charCodeAt(i) === 61 /* = */) {
      i = skipWs(s, i + 1)
      if (i < n && s.charCodeAt(i) === 34) {
        const q = readQuoted(s, i)
        if (q === undefined) return this.fail()
        value = q.value
        i = q.end
      } else {
        const vStart = i
        while (i < n && isValueChar(s.charCodeAt(i))) i++
        if (i === vStart) return this.fail()
        value = s.slice(vStart, i)
      }
      i = skipWs(s, i)
    }
    this.value = value
    this.i = i
    return true
  }

  private fail(): false {
    this.ok = false
    return false
  }
}

/** The scanner of parseParamsOnly (never re-entered: it calls nothing that scans). */
const SCAN = new ParamScanner()

/**
 * Parses `*( SEMI generic-param )` from s[i] to the end of s (the ParamScanner grammar) into a Map; NO_PARAMS when
 * there are none. Returns undefined on an empty or malformed parameter or anything after the parameters.
 */
export function parseParamsOnly(s: string, i: number): Params | undefined {
  let params: Map<string, string | null> | undefined
  const scan = SCAN.start(s, i)
  while (scan.next()) (params ??= new Map()).set(scan.name, scan.value)
  return scan.ok ? (params ?? NO_PARAMS) : undefined
}

/**
 * The parameters of a value parsed from text, kept as that text and parsed into a Map at their first read: the base
 * of parsed Vias and name-addrs, whose parsers pick the few parameters they need while checking the rest.
 */
export class TextParams {
  #text: string
  #paramsAt: number
  #params: Params | undefined = undefined

  /** `text` holds the parameters from index `paramsAt` to its end (already checked by the parser). */
  constructor(text: string, paramsAt: number) {
    this.#text = text
    this.#paramsAt = paramsAt
  }

  get params(): Params {
    return (this.#params ??= parseParamsOnly(this.#text, this.#paramsAt) ?? NO_PARAMS)
  }

  set params(params: Params) {
    this.#params = params
  }
}

/** True when s[i..] is only whitespace. */
export function atEnd(s: string, i: number): boolean {
  for (; i < s.length; i++) if (!isWs(s.charCodeAt(i))) return false
  return true
}
