// The routing key of a SIP message: the identifier that decides which worker owns it when several workers share one node, from a parsed message or straight from its bytes.
import { HeaderLines } from '../message/header-lines.js'
import { indexOfTopLevel, isWs, trimWs } from '../message/headers/lexer.js'
import { parseNameAddr } from '../message/headers/name-addr.js'
import { parseVia } from '../message/headers/via.js'

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

/**
 * The routing key of a message still in bytes: what `routingKey(parseMessage(buf))` returns for every message that
 * parses, found by walking the header lines as the parser does (the same HeaderLines) and keeping only the first Via,
 * To and Call-ID values, stopping once it has what it needs, so a receive path can hand a datagram to its owner without
 * parsing it. Bytes that are no SIP head give undefined; values are read as latin1 (our identifiers are ASCII; a
 * foreign non-ASCII Call-ID only has to hash the same every time).
 */
export function routingKeyOfBytes(buf: Buffer): RoutingKey | undefined {
  const len = buf.length
  let start = 0
  while (start < len && (buf[start] === 13 || buf[start] === 10)) start++
  if (start === len) return undefined
  let end = buf.indexOf('\r\n\r\n', start, 'latin1')
  if (end === -1) end = buf.indexOf('\n\n', start, 'latin1')
  if (end === -1) end = len
  const head = buf.toString('latin1', start, end)
  const response = head.length > 4 && (head.charCodeAt(0) | 32) === 115 && (head.charCodeAt(1) | 32) === 105 && (head.charCodeAt(2) | 32) === 112 && head.charCodeAt(3) === 47
  let via: string | undefined
  let to: string | undefined
  let callId: string | undefined
  const first = head.indexOf('\n')
  if (first === -1) return undefined
  const lines = LINES.reset(head, first + 1)
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
  if (response) {
    if (via === undefined) return undefined
    const comma = indexOfTopLevel(via)
    const branch = parseVia(comma === -1 ? via : trimWs(via.slice(0, comma)))?.branch
    return branch === undefined ? undefined : { source: 'via-branch', value: branch }
  }
  const tag = to === undefined ? undefined : parseNameAddr(to)?.tag
  if (tag !== undefined) return { source: 'to-tag', value: tag }
  // As SipMessage.callId: an empty value or one with whitespace is no Call-ID.
  if (callId === undefined || callId.length === 0) return undefined
  for (let i = 0; i < callId.length; i++) if (isWs(callId.charCodeAt(i))) return undefined
  return { source: 'call-id', value: callId }
}
