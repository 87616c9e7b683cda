// The routing key of a SIP message: the identifier that decides which worker owns it when several workers share one node, from a parsed message or straight from its bytes.
import { expandCompact } from '../message/header-names.js'
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

/** The headers a routing key is read from (canonical names). */
const WANTED = new Set(['via', 'to', 'call-id'])

/**
 * The routing key of a message still in bytes: what `routingKey(parseMessage(buf))` returns for every message that
 * parses, found by reading only the start line and the Via, To and Call-ID lines (folded lines included), so a
 * receive path can hand a datagram to its owner without parsing it. Bytes that are no SIP head give undefined; values
 * are read as latin1 (our identifiers are ASCII; a foreign non-ASCII Call-ID only has to hash the same every time).
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
  /** The header the previous line started (folded lines continue it), when it is one we keep. */
  let current: 'via' | 'to' | 'call-id' | null = null
  let pos = head.indexOf('\n')
  if (pos === -1) return undefined
  pos++
  const n = head.length
  while (pos < n) {
    let nl = head.indexOf('\n', pos)
    if (nl === -1) nl = n
    let e = nl > pos && head.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
    const c0 = head.charCodeAt(pos)
    if (c0 === 32 || c0 === 9) {
      // RFC 3261 §7.3.1: a continuation line, joined to the header it folds with one space (as the parser does).
      if (current !== null) {
        let a = pos
        while (a < e && (head.charCodeAt(a) === 32 || head.charCodeAt(a) === 9)) a++
        while (e > a && (head.charCodeAt(e - 1) === 32 || head.charCodeAt(e - 1) === 9)) e--
        if (a < e) {
          const more = head.slice(a, e)
          if (current === 'via') via = via!.length === 0 ? more : via + ' ' + more
          else if (current === 'to') to = to!.length === 0 ? more : to + ' ' + more
          else callId = callId!.length === 0 ? more : callId + ' ' + more
        }
      }
      pos = nl + 1
      continue
    }
    current = null
    const colon = head.indexOf(':', pos)
    if (colon !== -1 && colon < e) {
      let nameEnd = colon
      while (nameEnd > pos && (head.charCodeAt(nameEnd - 1) === 32 || head.charCodeAt(nameEnd - 1) === 9)) nameEnd--
      // Only names of up to seven characters can be ours: "via", "to", "call-id" and their compact forms.
      if (nameEnd - pos <= 7) {
        const name = expandCompact(head.slice(pos, nameEnd).toLowerCase())
        if (WANTED.has(name)) {
          let a = colon + 1
          while (a < e && (head.charCodeAt(a) === 32 || head.charCodeAt(a) === 9)) a++
          while (e > a && (head.charCodeAt(e - 1) === 32 || head.charCodeAt(e - 1) === 9)) e--
          const value = head.slice(a, e)
          if (name === 'via' && via === undefined) {
            via = value
            current = 'via'
          } else if (name === 'to' && to === undefined) {
            to = value
            current = 'to'
          } else if (name === 'call-id' && callId === undefined) {
            callId = value
            current = 'call-id'
          }
        }
      }
    }
    pos = nl + 1
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
