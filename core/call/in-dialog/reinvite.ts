// re-INVITE from either leg (RFC 3261 §14): relayed as an INVITE of the other leg's dialog, provisional and final responses relayed back, and the ACK translated end to end.
import { UasAnswer, type UasAnswerUser } from '../../sip/dialog/uas-answer.js'
import { buildResponse } from '../../sip/message/build.js'
import type { SipRequest, SipResponse } from '../../sip/message/message.js'
import type { InviteServerTransaction } from '../../sip/transaction/invite-server.js'
import type { ClientTransaction, ServerTransaction, TransactionUser } from '../../sip/transaction/types.js'
import type { Leg } from '../legs/leg.js'
import type { DialogCall, PendingReinvite } from './dialog-call.js'

/** Content-Type of a message, if any. */
function ct(m: SipRequest): string | undefined {
  return m.headers.first('content-type')
}

/** One relayed re-INVITE: the sender's IST (`from`) and our INVITE on the other leg's dialog (`to`). */
export class ReinviteRelay implements TransactionUser, UasAnswerUser, PendingReinvite {
  readonly from: Leg
  private readonly to: Leg
  private readonly call: DialogCall
  private readonly ist: InviteServerTransaction
  /** CSeq number of our INVITE on `to` (its ACK carries it, §13.2.2.4). */
  private seq = 0
  private answer: UasAnswer | null = null
  private state: 'pending' | 'answered' | 'acked' | 'failed' = 'pending'

  constructor(call: DialogCall, from: Leg, to: Leg, ist: InviteServerTransaction) {
    this.call = call
    this.from = from
    this.to = to
    this.ist = ist
  }

  /** Sends the INVITE with the sender's SDP in the other leg's dialog. */
  start(): void {
    const req = this.ist.request
    const d = this.to.dialog!
    // RFC 3264 §8: the re-INVITE's offer (if any) goes through the media anchor; without SDP the 2xx carries the offer.
    const body = this.call.callMedia.fromSide(this.from.side, 'offer', req.body, ct(req))
    const out = d.createRequest('INVITE', body, req.headers.first('content-type'), Math.max(0, (req.maxForwards ?? 70) - 1))
    out.headers.append('allow', this.call.ctx.allow)
    if (this.call.ctx.supported.length > 0) out.headers.append('supported', this.call.ctx.supported)
    // RFC 4028: session timers are per leg: the other leg's request carries that leg's Session-Expires, never the sender's.
    for (const [n, v] of this.call.sessions.requestHeaders(this.to)) out.headers.append(n, v)
    this.call.sessions.sdpSent(this.to, out.body, ct(out))
    this.seq = d.localSeq
    this.to.sendInDialog(out, this)
  }

  /** Responses to our INVITE: 18x relayed, the 2xx relayed and retransmitted until the sender's ACK, failures (491 glare too) relayed. */
  onResponse(res: SipResponse, _tx: ClientTransaction): void {
    const s = res.status
    const ct = res.headers.first('content-type')
    const sdp = (): Buffer => this.call.callMedia.fromSide(this.to.side, this.ist.request.body.length > 0 ? 'answer' : 'offer', res.body, ct)
    if (s < 200) {
      if (s === 100 || this.state !== 'pending') return
      this.ist.respond(buildResponse(this.ist.request, s, { reason: res.reason, body: sdp(), ...(ct === undefined ? {} : { contentType: ct }) }))
      return
    }
    if (s < 300) {
      if (this.state === 'acked') {
        // RFC 6026 §7.2: the other side retransmits its 2xx; our ACK goes again.
        this.to.dialog?.onRetransmitted2xx(res, this.call.ctx.layer)
        return
      }
      if (this.state !== 'pending') return
      this.state = 'answered'
      // RFC 3261 §12.2: a 2xx to a target refresh updates both remote targets.
      this.to.dialog?.refreshTarget(res)
      this.from.dialog?.refreshTarget(this.ist.request)
      // RFC 4028 §10: a 2xx to a re-INVITE refreshes both dialogs' sessions; the sender's 2xx carries its own terms (§9).
      const se = this.call.sessions.relayAnswered(this.from, this.to, this.ist.request, res)
      const headers = se.length === 0 ? this.call.ctx.dialogHeaders : [...this.call.ctx.dialogHeaders, ...se]
      const ok = buildResponse(this.ist.request, s, { reason: res.reason, headers, body: sdp(), ...(ct === undefined ? {} : { contentType: ct }) })
      this.call.sessions.sdpSent(this.from, ok.body, ct)
      this.answer = new UasAnswer(this.call.ctx.layer, this.ist, ok, this)
      return
    }
    if (this.state !== 'pending') return
    // RFC 3261 §14.1: a failed re-INVITE leaves the session as it was; the sender hears the same code (491 makes it retry).
    this.fail(s, res.reason)
  }

  /** Timer B: the other leg never answered -> 408 to the sender. */
  onTimeout(): void {
    if (this.state === 'pending') this.fail(408)
  }

  /** Our INVITE could not be sent -> 503 to the sender. */
  onTransportError(): void {
    if (this.state === 'pending') this.fail(503)
  }

  /** The sender's ACK for our 2xx: ACK the other leg's 2xx with the ACK's body (RFC 3264 answer in ACK). */
  onAck(ack: SipRequest): void {
    if (this.state !== 'answered' || this.answer === null || ack.cseq?.seq !== this.answer.seq) return
    this.answer.acked()
    const act = ack.headers.first('content-type')
    this.ackOther(this.call.callMedia.fromSide(this.from.side, 'answer', ack.body, act), act)
  }

  /** §13.3.1.4: the sender never ACKed: the other leg still gets its ACK (without SDP) so its transaction settles. */
  onAnswerTimeout(): void {
    if (this.state === 'answered') this.ackOther()
  }

  /** The call ended: stop retransmitting. */
  dispose(): void {
    this.answer?.stop()
  }

  private ackOther(body?: Buffer, contentType?: string): void {
    this.state = 'acked'
    if (body !== undefined) this.call.sessions.sdpSent(this.to, body, contentType)
    this.to.dialog?.sendAck(this.call.ctx.layer, this.seq, body, contentType)
    this.call.reinviteEnded(this)
  }

  private fail(status: number, reason?: string): void {
    this.state = 'failed'
    if (this.ist.state === 'proceeding') this.ist.respond(buildResponse(this.ist.request, status, reason === undefined ? {} : { reason }))
    this.call.reinviteEnded(this)
  }
}

/** RFC 3261 §14.2: one re-INVITE at a time per call (491 otherwise), only once both legs are confirmed. */
export function relayReinvite(call: DialogCall, leg: Leg, tx: ServerTransaction): void {
  const other = call.otherLeg(leg)
  if (tx.kind !== 'ist') return
  if (call.reinviteInProgress || !call.connected || other === null || other.dialog === null || other.dialog.state !== 'confirmed') {
    // RFC 3261 §14.2: an INVITE while another is in progress on the dialog -> 491 Request Pending.
    tx.respond(buildResponse(tx.request, 491))
    return
  }
  // RFC 4028 §8.1: a Session-Expires below our Min-SE is refused here with 422, not relayed.
  if (!call.sessions.admitRequest(leg, tx.request, tx)) return
  const relay = new ReinviteRelay(call, leg, other, tx)
  call.reinviteStarted(relay)
  relay.start()
}
