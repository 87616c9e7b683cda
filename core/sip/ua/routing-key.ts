// The routing key of a SIP message: the identifier that decides which worker owns it when several workers share one node, from a parsed message or straight from its bytes.
import { HeaderLines } from '../message/header-lines.js'
import { TOKEN, indexOfTopLevel, isToken, isWs, trimWs } from '../message/headers/lexer.js'
import { parseNameAddr } from '../message/headers/name-addr.js'
import { ParamScanner } from '../message/headers/params.js'

/**
 * Where the key comes from. Everything after a call's first INVITE names an identifier the node minted, so a worker
 * that mints them with its own mark (generateBranch / generateTag / generateCallId in sip/message/build.ts) gets the
 * rest of its calls back; only a request that names nothing of ours is placed by hashing the caller's Call-ID.
 * - `via-branch`: a response; its top Via is ours (a response to a request we sent, both legs).
 * - `to-tag`: a request inside a dialog; its To tag is ours (our answer's tag on leg A, our From tag on leg B), and so is
 *   an ACK for a non-2xx final we sent.
 * - `call-id`: a request outside any dialog (new INVITE, its CANCEL, OPTIONS, REGISTER): the caller's Call-ID. A
 *   CANCEL has the INVITE's Call-ID and no To tag, so it follows its INVITE.
 */
export type RoutingKeySource = 'via-branch' | 'to-tag' | 'call-id'

/** A routing key: its source and value. */
export interface RoutingKey {
  readonly source: RoutingKeySource
  readonly value: string
}

/** What the key reads of a message (a parsed SipRequest or SipResponse satisfies it). */
export interface KeyedMessage {
  readonly isRequest: boolean
  readonly topVia: { readonly branch?: string | undefined } | undefined
  readonly to: { readonly tag?: string | undefined } | undefined
  readonly callId: string | undefined
}

/** The routing key of a parsed message, or undefined when it lacks the header that would carry one (the transaction layer drops such a message anyway). */
export function routingKey(msg: KeyedMessage): RoutingKey | undefined {
  if (!msg.isRequest) {
    const branch = msg.topVia?.branch
    return branch === undefined ? undefined : { source: 'via-branch', value: branch }
  }
  const tag = msg.to?.tag
  if (tag !== undefined) return { source: 'to-tag', value: tag }
  const callId = msg.callId
  return callId === undefined ? undefined : { source: 'call-id', value: callId }
}

/** The routing key's own walker over header lines (never re-entered). */
const LINES = new HeaderLines()

/** The token table held locally: an imported binding read in a loop costs a getter call when modules run through tsx. */
const TOKEN_CHARS: Uint8Array = TOKEN

/** The branch scanner (never re-entered). */
const SCAN = new ParamScanner()

/**
 * The branch parameter of one via-parm (the last one, as the parsed Via keeps it), read from its parameters alone:
 * the sent-protocol and sent-by are not checked, so a Via malformed before its parameters still names the worker its
 * branch carries, which drops the response as the parse would have anywhere (validateResponse). Undefined when the
 * parameters are malformed or carry no token branch.
 */
function branchOf(via: string): string | undefined {
  const semi = via.indexOf(';')
  if (semi === -1) return undefined
  let branch: string | null | undefined
  const scan = SCAN.start(via, semi)
  while (scan.next()) if (scan.name === 'branch') branch = scan.value
  return scan.ok && typeof branch === 'string' && isToken(branch) ? branch : undefined
}

/** Which of the header names the key reads spans buf[a, b) (any case; compact forms): 1 Via, 2 To, 3 Call-ID, else 0. */
function keyHeader(buf: Buffer, a: number, b: number): number {
  const c0 = buf[a]! | 32
  switch (b - a) {
    case 1:
      return c0 === 118 ? 1 : c0 === 116 ? 2 : c0 === 105 ? 3 : 0 // v, t, i
    case 2:
      return c0 === 116 && (buf[a + 1]! | 32) === 111 ? 2 : 0 // to
    case 3:
      return c0 === 118 && (buf[a + 1]! | 32) === 105 && (buf[a + 2]! | 32) === 97 ? 1 : 0 // via
    case 7:
      // call-id
      return c0 === 99 && (buf[a + 1]! | 32) === 97 && (buf[a + 2]! | 32) === 108 && (buf[a + 3]! | 32) === 108 &&
        buf[a + 4] === 45 && (buf[a + 5]! | 32) === 105 && (buf[a + 6]! | 32) === 100 ? 3 : 0
    default:
      return 0
  }
}

/** What the byte walk found: the first Via (responses), To and Call-ID (requests) values; `folded` when it gave up. */
const found = { via: undefined as string | undefined, to: undefined as string | undefined, callId: undefined as string | undefined, folded: false }

/**
 * Walks the header lines from buf[pos] in bytes, up to the empty line that ends the head, for the first Via (a
 * response) or the first To and Call-ID (a request), decoding only those values, as HeaderLines would read them (names
 * in any case or compact, SP/HT trimmed). A continuation line ends the walk with `folded` set: the caller then takes
 * HeaderLines' way, which joins them. (A bare-LF empty line before a CRLF one ends this walk early; the parser refuses
 * such a head.)
 */
function walkBytes(buf: Buffer, pos: number, response: boolean): void {
  found.via = undefined
  found.to = undefined
  found.callId = undefined
  found.folded = false
  const end = buf.length
  while (pos < end) {
    const c0 = buf[pos]
    if (c0 === 10 || (c0 === 13 && buf[pos + 1] === 10)) return
    let lf = buf.indexOf(10, pos)
    if (lf === -1) lf = end
    if (c0 === 32 || c0 === 9) {
      found.folded = true
      return
    }
    let nameEnd = pos
    while (nameEnd < lf) {
      const c = buf[nameEnd]!
      if (c >= 128 || TOKEN_CHARS[c] !== 1) break
      nameEnd++
    }
    const which = nameEnd > pos ? keyHeader(buf, pos, nameEnd) : 0
    if (which !== 0 && (which === 1) === response) {
      let a = nameEnd
      while (a < lf && (buf[a] === 32 || buf[a] === 9)) a++
      if (buf[a] === 58 && a < lf) {
        const next = buf[lf + 1]
        if (next === 32 || next === 9) {
          found.folded = true
          return
        }
        a++
        let e = lf > a && buf[lf - 1] === 13 ? lf - 1 : lf
        while (a < e && (buf[a] === 32 || buf[a] === 9)) a++
        while (e > a && (buf[e - 1] === 32 || buf[e - 1] === 9)) e--
        const value = buf.toString('latin1', a, e)
        if (which === 1) {
          found.via = value
          return
        }
        if (which === 2) found.to ??= value
        else found.callId ??= value
        if (found.to !== undefined && found.callId !== undefined) return
      }
    }
    pos = lf + 1
  }
}

/**
 * The routing key of a message still in bytes: what `routingKey(parseMessage(buf))` returns for every message that
 * parses with a well-formed top Via, found without parsing it: the header lines are walked in bytes (HeaderLines' rules,
 * which it falls back to for folded lines) for the first Via, or the first To and Call-ID, and only those values are
 * decoded, so a receive path hands a datagram to its owner cheaply. Bytes that are no SIP head give undefined; values
 * are read as latin1 (our identifiers are ASCII; a foreign non-ASCII Call-ID only has to hash the same every time).
 */
export function routingKeyOfBytes(buf: Buffer): RoutingKey | undefined {
  const len = buf.length
  let start = 0
  while (start < len && (buf[start] === 13 || buf[start] === 10)) start++
  if (start === len) return undefined
  const first = buf.indexOf(10, start)
  // The start line, then at least one header line before the empty line (a head of one line has no key).
  if (first === -1 || first + 1 >= len || buf[first + 1] === 10 || (buf[first + 1] === 13 && buf[first + 2] === 10)) return undefined
  const response = first - start >= 4 && (buf[start]! | 32) === 115 && (buf[start + 1]! | 32) === 105 && (buf[start + 2]! | 32) === 112 && buf[start + 3] === 47
  walkBytes(buf, first + 1, response)
  let via = found.via
  let to = found.to
  let callId = found.callId
  if (found.folded) {
    via = to = callId = undefined
    let end = buf.indexOf('\r\n\r\n', start, 'latin1')
    if (end === -1) end = buf.indexOf('\n\n', start, 'latin1')
    if (end === -1) end = len
    const head = buf.toString('latin1', start, end)
    const lines = LINES.reset(head, first - start + 1)
    while (lines.next()) {
      const name = lines.name
      if (response) {
        if (name === 'via') {
          via = lines.value()
          break
        }
      } else if (name === 'to') {
        if (to === undefined) to = lines.value()
        if (callId !== undefined) break
      } else if (name === 'call-id') {
        if (callId === undefined) callId = lines.value()
        if (to !== undefined) break
      }
    }
  }
  if (response) {
    if (via === undefined) return undefined
    const comma = indexOfTopLevel(via)
    const branch = branchOf(comma === -1 ? via : trimWs(via.slice(0, comma)))
    return branch === undefined ? undefined : { source: 'via-branch', value: branch }
  }
  const tag = to === undefined ? undefined : parseNameAddr(to)?.tag
  if (tag !== undefined) return { source: 'to-tag', value: tag }
  // As SipMessage.callId: an empty value or one with whitespace is no Call-ID.
  if (callId === undefined || callId.length === 0) return undefined
  for (let i = 0; i < callId.length; i++) if (isWs(callId.charCodeAt(i))) return undefined
  return { source: 'call-id', value: callId }
}
