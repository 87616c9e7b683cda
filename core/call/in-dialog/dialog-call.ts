// What the in-dialog handlers need of their call: the other leg, the media anchor's SDP rewrite, the session timers, the one relayed re-INVITE, and the two BYE outcomes.
import type { CallContext } from '../call-context.js'
import type { CallSessions } from '../call-session.js'
import type { Leg } from '../legs/leg.js'
import type { UacLeg } from '../legs/uac-leg.js'
import type { CallMedia } from '../media-anchor.js'
import type { SipRequest } from '../../sip/message/message.js'
import type { ServerTransaction } from '../../sip/transaction/types.js'

/** The node's part the handlers use: the layer, and Allow, Supported and the dialog headers of our answers. */
export type DialogContext = Pick<CallContext, 'layer' | 'allow' | 'supported' | 'dialogHeaders'>

/** A relayed re-INVITE as the call holds it (one at a time, RFC 3261 §14.2). */
export interface PendingReinvite {
  /** The leg whose re-INVITE it is: its ACK comes from there. */
  readonly from: Leg
  /** The sender's ACK for our 2xx. */
  onAck(ack: SipRequest): void
  /** The call ended: stop retransmitting. */
  dispose(): void
}

/** The call as its in-dialog handlers see it (the call implements it). */
export interface DialogCall {
  readonly ctx: DialogContext
  readonly callMedia: Pick<CallMedia, 'fromSide'>
  readonly sessions: Pick<CallSessions, 'absorbRefresh' | 'admitRequest' | 'requestHeaders' | 'sdpSent' | 'relayAnswered'>
  /** Both legs confirmed and the caller's ACK in: re-INVITEs are relayed only then. */
  readonly connected: boolean
  /** A relayed re-INVITE is in progress. */
  readonly reinviteInProgress: boolean
  /** The other leg of `leg` (null when there is no current attempt). */
  otherLeg(leg: Leg): Leg | null
  /** `relay` is now the call's re-INVITE in progress. */
  reinviteStarted(relay: PendingReinvite): void
  /** `relay` is over (answered and ACKed, or failed); a new re-INVITE may go through. */
  reinviteEnded(relay: PendingReinvite): void
  /** RFC 3262 §3: a PRACK on `leg` (answered by the call: 200 or 481). */
  onPrack(leg: Leg, req: SipRequest, tx: ServerTransaction): void
  /** BYE from the caller (200 already sent). */
  onCallerBye(): void
  /** BYE from the callee on `leg` (200 already sent). */
  onCalleeBye(leg: UacLeg): void
}
