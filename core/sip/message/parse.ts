// Wire bytes -> SipMessage: start line, raw headers (folding, compact forms), Content-Length framing; never throws.
import { isAscii, isUtf8 } from 'node:buffer'
import { HeaderList } from './header-list.js'
import { HeaderLines } from './header-lines.js'
import { TOKEN, isDigits } from './headers/lexer.js'
import { schemeLength } from './headers/uri.js'
import { EMPTY_BODY, type SipMessage, SipRequest, SipResponse } from './message.js'

export type ParseErrorCode =
  | 'empty' // only CRLFs: a keep-alive (RFC 5626 §4.4.1), not an error to count
  | 'start-line'
  | 'request-uri'
  | 'header-syntax'
  | 'no-header-end'
  | 'content-length'
  | 'body-truncated'

/** A datagram that is not a usable SIP message. `partial` carries a request good enough for a stateless 400. */
export interface ParseError {
  code: ParseErrorCode
  message: string
  /** Present when the start line is a request and Via, From, To, Call-ID and CSeq are all present (RFC 3261 §8.2). */
  partial?: SipRequest
}

export type ParseResult = { ok: true; message: SipMessage } | { ok: false; error: ParseError }

/** 'datagram' (UDP, RFC 3261 §18.3: missing Content-Length = rest of datagram) or 'stream' (Content-Length mandatory). */
export type Framing = 'datagram' | 'stream'

/** The parser's walker over header lines (parsing is never re-entered). */
const LINES = new HeaderLines()

const MANDATORY_FOR_400 = ['via', 'from', 'to', 'call-id', 'cseq'] as const

function fail(code: ParseErrorCode, message: string, partial?: SipMessage): ParseResult {
  const error: ParseError = { code, message }
  if (partial !== undefined && partial.isRequest) {
    const h = partial.headers
    if (MANDATORY_FOR_400.every((n) => h.first(n) !== undefined)) error.partial = partial
  }
  return { ok: false, error }
}

/** Parses one SIP message from a buffer (RFC 3261 §7, §18.3); bad bytes become a ParseError value. */
export function parseMessage(buf: Buffer, framing: Framing = 'datagram'): ParseResult {
  const len = buf.length
  // RFC 3261 §7.5: ignore CRLFs before the start line.
  let start = 0
  while (start < len && (buf[start] === 13 || buf[start] === 10)) start++
  if (start === len) return fail('empty', 'no message (keep-alive)')

  let headEnd = buf.indexOf('\r\n\r\n', start, 'latin1')
  let bodyStart: number
  if (headEnd !== -1) bodyStart = headEnd + 4
  else {
    // Deviation: tolerate bare-LF line ends (seen from broken UAs); RFC 3261 §7 requires CRLF.
    headEnd = buf.indexOf('\n\n', start, 'latin1')
    bodyStart = headEnd + 2
  }
  let truncatedHead = false
  if (headEnd === -1) {
    truncatedHead = true
    headEnd = len
    bodyStart = len
  }
  // Headers are UTF-8 text (RFC 3261 §7.3.1); Deviation: invalid UTF-8 is read as latin1 rather than refused. An
  // ASCII head (the usual one) is the same text either way and latin1 makes it without the UTF-8 decoder's pass.
  // The whole datagram is checked first (usually ASCII body and all), so the usual message needs no view of its head.
  let head: string
  if (isAscii(buf)) head = buf.toString('latin1', start, headEnd)
  else {
    const slice = buf.subarray(start, headEnd)
    head = isAscii(slice) ? buf.toString('latin1', start, headEnd) : slice.toString(isUtf8(slice) ? 'utf8' : 'latin1')
  }

  let lineEnd = head.indexOf('\n')
  if (lineEnd === -1) lineEnd = head.length
  const startLine = head.slice(0, lineEnd > 0 && head.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd)
  const names: string[] = []
  const values: string[] = []
  const msgOrErr = parseStartLine(startLine, new HeaderList(names, values))
  if (typeof msgOrErr === 'string') return fail('start-line', msgOrErr)
  const msg = msgOrErr

  let firstError: string | undefined
  const lines = LINES.reset(head, lineEnd + 1)
  while (lines.next()) {
    if (lines.error !== undefined) {
      firstError ??= lines.error
      continue
    }
    names.push(lines.name)
    values.push(lines.value())
  }

  if (firstError !== undefined) return fail('header-syntax', firstError, msg)
  if (truncatedHead) return fail('no-header-end', 'no empty line after the headers', msg)
  if (msg.isRequest && !isRequestUriShape(msg.uri)) return fail('request-uri', 'malformed Request-URI', msg)

  // RFC 3261 §18.3 / §20.14 framing.
  let clCount = 0
  let clValue: string | undefined
  for (let i = 0; i < names.length; i++) {
    if (names[i] === 'content-length') {
      clCount++
      clValue = values[i]
    }
  }
  const available = len - bodyStart
  if (clCount === 0) {
    if (framing === 'stream') return fail('content-length', 'Content-Length is mandatory on stream transports', msg)
    msg.body = available > 0 ? buf.subarray(bodyStart) : EMPTY_BODY
    return { ok: true, message: msg }
  }
  if (clCount > 1) return fail('content-length', 'multiple Content-Length headers', msg)
  if (clValue === undefined || !isDigits(clValue, 10)) return fail('content-length', 'invalid Content-Length', msg)
  const cl = Number(clValue)
  if (cl > available) return fail('body-truncated', `Content-Length ${cl} exceeds the ${available} octets received`, msg)
  // RFC 3261 §18.3: octets after Content-Length in a datagram are discarded.
  msg.body = cl === 0 ? EMPTY_BODY : buf.subarray(bodyStart, bodyStart + cl)
  return { ok: true, message: msg }
}

/** Methods most requests carry, shared strings instead of a slice of each request line (methods are case-sensitive). */
const METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'UPDATE', 'INFO', 'NOTIFY', 'SUBSCRIBE', 'REFER', 'MESSAGE']

/** The method line[0, end) as a shared string when it is a usual one, else a slice. */
function methodOf(line: string, end: number): string {
  for (let k = 0; k < METHODS.length; k++) {
    const m = METHODS[k]!
    if (m.length === end && line.startsWith(m)) return m
  }
  return line.slice(0, end)
}

/** The SIP-Version line[a, b) uppercased, the shared 'SIP/2.0' when it is that (the usual case) in any case. */
function versionOf(line: string, a: number, b: number): string {
  if (b - a === 7 && (line.startsWith('SIP/2.0', a) || line.startsWith('sip/2.0', a))) return 'SIP/2.0'
  return line.slice(a, b).toUpperCase()
}

/** The three digits line[i, i+3) as a number, or -1 when they are not three digits. */
function threeDigits(line: string, i: number): number {
  let n = 0
  for (let k = i; k < i + 3; k++) {
    const c = line.charCodeAt(k) - 48
    if (!(c >= 0 && c <= 9)) return -1
    n = n * 10 + c
  }
  return n
}

/** Request-Line or Status-Line -> a message without body over `headers`, or a reason string (RFC 3261 §7.1, §7.2). */
function parseStartLine(line: string, headers: HeaderList): SipMessage | string {
  if (line.startsWith('SIP/') || line.startsWith('sip/')) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    const sp = line.indexOf(' ')
    if (sp === -1) return 'status line without status code'
    const version = versionOf(line, 0, sp)
    if (!isVersion(version)) return 'bad SIP version in status line'
    const status = threeDigits(line, sp + 1)
    if (status === -1) return 'status code is not three digits'
    const after = line.charCodeAt(sp + 4)
    if (sp + 4 < line.length && after !== 32) return 'status code is not three digits'
    if (status < 100 || status > 699) return 'status code out of range'
    // Deviation: a missing SP before an empty reason is tolerated (RFC 4475 §3.1.1.13 sends "100 ").
    const res = new SipResponse(status, line.slice(sp + 5), headers, EMPTY_BODY)
    res.version = version
    return res
  }
  // Request-Line = Method SP Request-URI SP SIP-Version. Liberal per RFC 4475 §3.1.2.9/§3.1.2.10:
  // runs of SP and trailing SP are accepted; serialization writes single SPs.
  let end = line.length
  while (end > 0 && line.charCodeAt(end - 1) === 32) end--
  const sp1 = line.indexOf(' ')
  const sp2 = line.lastIndexOf(' ', end - 1)
  if (sp1 <= 0 || sp2 <= sp1) return 'request line does not have three elements'
  for (let k = 0; k < sp1; k++) {
    const c = line.charCodeAt(k)
    if (c >= 128 || TOKEN[c] !== 1) return 'method is not a token'
  }
  const version = versionOf(line, sp2 + 1, end)
  if (!isVersion(version)) return 'bad SIP version in request line'
  let u0 = sp1 + 1
  let u1 = sp2
  while (u0 < u1 && line.charCodeAt(u0) === 32) u0++
  while (u1 > u0 && line.charCodeAt(u1 - 1) === 32) u1--
  if (u0 === u1) return 'request line does not have three elements'
  // SP left inside the Request-URI (RFC 4475 §3.1.2.8) is reported later as a request-uri error with a partial.
  const req = new SipRequest(methodOf(line, sp1), line.slice(u0, u1), headers, EMPTY_BODY)
  req.version = version
  return req
}

/** A scheme followed by ':' and no whitespace or control characters (RFC 3261 §25.1 Request-URI). */
function isRequestUriShape(uri: string): boolean {
  if (schemeLength(uri) === 0) return false
  for (let k = 0; k < uri.length; k++) if (uri.charCodeAt(k) <= 32 || uri.charCodeAt(k) === 127) return false
  return true
}

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (RFC 3261 §7.1). */
function isVersion(v: string): boolean {
  if (v === 'SIP/2.0') return true
  if (!v.startsWith('SIP/')) return false
  const dot = v.indexOf('.', 4)
  return dot > 4 && isDigits(v.slice(4, dot), 4) && isDigits(v.slice(dot + 1), 4)
}
