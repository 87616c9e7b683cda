// Via header field value parser (RFC 3261 §20.42, §18.2.1 received/rport per RFC 3581).
import { TOKEN, isToken, skipWs, trimWs } from './lexer.js'
import { ParamScanner, type Params, TextParams } from './params.js'
import { hostPort, scanHostPort } from './uri.js'

export interface Via {
  /** Protocol name and version as one token pair, normally 'SIP/2.0'. */
  protocol: string
  /** Uppercase transport: UDP, TCP, TLS, SCTP, WS, or any extension token. */
  transport: string
  host: string
  port?: number
  branch?: string
  received?: string
  /** RFC 3581: true for a bare `rport` (request), the number when filled in (response). */
  rport: number | true | undefined
  params: Params
}

/**
 * A Via read from text: branch, received and rport are picked out while the parameters are checked, and the parameter
 * Map is built from the text only when something reads `params` (few do: RFC 5923 alias, a Via stamped over a Map).
 */
class TextVia extends TextParams implements Via {
  port: number | undefined = undefined
  branch: string | undefined = undefined
  received: string | undefined = undefined
  rport: number | true | undefined = undefined

  constructor(
    public protocol: string,
    public transport: string,
    public host: string,
    text: string,
    paramsAt: number,
  ) {
    super(text, paramsAt)
  }
}

/** The Via parser's scanner (never re-entered). */
const SCAN = new ParamScanner()

function readToken(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i)
    if (c >= 128 || TOKEN[c] !== 1) break
    i++
  }
  return i
}

/** Transports as written in nearly every Via, so parsing one shares the string instead of uppercasing a copy. */
const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS']

/** s[a, b) uppercased: one of TRANSPORTS when it spells one in any case, else a new string. */
function upperToken(s: string, a: number, b: number): string {
  for (const t of TRANSPORTS) {
    if (t.length !== b - a) continue
    let k = 0
    while (k < t.length && (s.charCodeAt(a + k) & ~32) === t.charCodeAt(k)) k++
    if (k === t.length) return t
  }
  return s.slice(a, b).toUpperCase()
}

/** Parses one via-parm (`SIP / 2.0 / UDP host:port;params`, SWS allowed around '/'), or undefined if malformed. */
export function parseVia(value: string): Via | undefined {
  const s = trimWs(value)
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport, three tokens.
  let i = skipWs(s, 0)
  const nameStart = i
  i = readToken(s, i)
  const nameEnd = i
  if (nameEnd === nameStart) return undefined
  i = skipWs(s, i)
  if (s.charCodeAt(i) !== 47 /* / */) return undefined
  const versionStart = skipWs(s, i + 1)
  i = readToken(s, versionStart)
  const versionEnd = i
  if (versionEnd === versionStart) return undefined
  i = skipWs(s, i)
  if (s.charCodeAt(i) !== 47 /* / */) return undefined
  const transportStart = skipWs(s, i + 1)
  i = readToken(s, transportStart)
  if (i === transportStart) return undefined
  const transport = upperToken(s, transportStart, i)
  i = skipWs(s, i)
  const sip20 =
    nameEnd - nameStart === 3 && (s.charCodeAt(nameStart) & ~32) === 83 && (s.charCodeAt(nameStart + 1) & ~32) === 73 &&
    (s.charCodeAt(nameStart + 2) & ~32) === 80 && versionEnd - versionStart === 3 && s.startsWith('2.0', versionStart)
  const protocol = sip20 ? 'SIP/2.0' : s.slice(nameStart, nameEnd).toUpperCase() + '/' + s.slice(versionStart, versionEnd)
  const hpStart = i
  // sent-by: host [ COLON port ]; RFC 3261 §25.1 allows SWS around the colon.
  const hpEnd = scanHostPort(s, i)
  if (hpEnd === -1 || hpEnd === hpStart) return undefined
  const host = hostPort.host
  let port = hostPort.port
  let j = skipWs(s, hpEnd)
  if (port === undefined && s.charCodeAt(j) === 58) {
    const pj = skipWs(s, j + 1)
    const pe = readToken(s, pj)
    const portText = s.slice(pj, pe)
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return undefined
    port = Number(portText)
    j = skipWs(s, pe)
  }
  // The last of a repeated parameter counts, as in the Map.
  let branch: string | null | undefined
  let received: string | null | undefined
  let rport: string | null | undefined
  const scan = SCAN.start(s, j)
  while (scan.next()) {
    const name = scan.name
    if (name === 'branch') branch = scan.value
    else if (name === 'received') received = scan.value
    else if (name === 'rport') rport = scan.value
  }
  if (!scan.ok) return undefined
  const via = new TextVia(protocol, transport, host, s, j)
  if (port !== undefined) via.port = port
  if (branch !== undefined) {
    if (branch === null || !isToken(branch)) return undefined
    via.branch = branch
  }
  if (typeof received === 'string') via.received = received
  if (rport === null) via.rport = true
  else if (rport !== undefined) {
    if (/^\d{1,5}$/.test(rport) && Number(rport) <= 65535) via.rport = Number(rport)
    else return undefined
  }
  return via
}

/**
 * `via` as it reads once its text is `text` (parameters from paramsAt) with received and rport filled in (RFC 3261
 * §18.2.1, RFC 3581 §4): the parsed form of a stamped Via, its parameter Map still built only when read.
 */
export function stampedVia(via: Via, text: string, paramsAt: number, received: string, rport: number | true | undefined): Via {
  const out = new TextVia(via.protocol, via.transport, via.host, text, paramsAt)
  out.port = via.port
  out.branch = via.branch
  out.received = received
  out.rport = rport
  return out
}

/**
 * The parsed form of `base` (a Via without parameters, as parsed) once `;branch=<branch>;rport` follows it, the whole
 * being `text` with its parameters from `paramsAt`: what parseVia(text) gives, for a Via we write ourselves.
 */
export function viaWithBranch(base: Via, text: string, paramsAt: number, branch: string): Via {
  const out = new TextVia(base.protocol, base.transport, base.host, text, paramsAt)
  out.port = base.port
  out.branch = branch
  out.rport = true
  return out
}
