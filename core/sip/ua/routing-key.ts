// The routing key of a SIP message: the identifier that decides which worker owns it when several workers share one node.

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

/**
 * The routing key of `msg`, or undefined when it lacks the header that would carry one (the transaction layer drops
 * such a message anyway). A multi-worker receive path parses the datagram, calls this, and hands the message to the
 * worker the key names; today one process owns every message and nothing calls it on the hot path.
 */
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
