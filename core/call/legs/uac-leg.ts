// Leg B: one routing attempt as a UAC (RFC 3261 §13.2): its own Call-ID, tags and CSeq space, the INVITE client transaction, the early/confirmed dialog and the ACK for its 2xx.
import { isIP } from 'node:net'
import type { Dialog } from '../../sip/dialog/dialog.js'
import { uacDialog } from '../../sip/dialog/dialog.js'
import { generateCallId, generateTag } from '../../sip/message/build.js'
import { HeaderList } from '../../sip/message/header-list.js'
import { EMPTY_BODY, SipRequest, type SipResponse } from '../../sip/message/message.js'
import type { InviteClientTransaction } from '../../sip/transaction/invite-client.js'
import type { ClientTransaction, TransactionFailure, TransactionUser } from '../../sip/transaction/types.js'
import type { RemoteAddr, Transport } from '../../transport/types.js'
import type { Call } from '../call.js'
import type { CallContext } from '../call-context.js'
import { epochMs } from '../cdr-facts.js'
import type { RouteTarget } from '../ports.js'
import { calleeOfferHeaders, minSeOf } from '../session-timer.js'
import { AnsweredInvite } from './answered-invite.js'
import { IGNORE_RESPONSES } from './ignore-responses.js'

/** Where the INVITE stands: sent, a provisional seen, answered (2xx), failed (3xx-6xx, timeout, transport). */
export type UacLegState = 'calling' | 'proceeding' | 'answered' | 'failed'

/** RFC 3323 §4.1.1.3's anonymous From. */
const ANONYMOUS_FROM = '"Anonymous" <sip:anonymous@anonymous.invalid>'

/** `#` is not allowed unescaped in a SIP URI user part (RFC 3261 §25.1). */
function uriUser(n: string): string {
  return n.indexOf('#') === -1 ? n : n.replaceAll('#', '%23')
}

/** One attempt of a call toward one routing gateway. */
export class UacLeg implements TransactionUser {
  readonly side = 'b' as const
  readonly call: Call
  readonly target: RouteTarget
  /** Our INVITE (replaced once by the RFC 4028 §7.4 retry after a 422: same attempt, next CSeq). */
  invite: SipRequest
  readonly callId: string
  /** Our From tag. */
  readonly tag: string
  readonly startedAtMs: number
  readonly transport: Transport
  /** The gateway's address (RouteTarget host:port). */
  readonly remote: RemoteAddr
  state: UacLegState = 'calling'
  dialog: Dialog | null = null
  /** False once the call let go of this attempt (gave up, cancelled, or ended): a late 2xx is then ACKed and BYEd here. */
  attached = true
  /** The attempt's gateway line was given back (`releaseTarget` exactly once). */
  released = false
  /** Our INVITE's 2xx was ACKed (§13.2.2.4). */
  acked = false
  /** The last provisional status seen (180/183), 0 when none. */
  lastProvisional = 0
  /** Post-dial delay of this attempt: its start to the first 18x or the answer, ms; null until one came. */
  pddMs: number | null = null
  private readonly ctx: CallContext
  private ict: InviteClientTransaction | null = null
  private retried422 = false

  constructor(ctx: CallContext, call: Call, target: RouteTarget, callerInvite: SipRequest, transport: Transport, offer: Buffer = callerInvite.body) {
    this.ctx = ctx
    this.call = call
    this.target = target
    this.startedAtMs = epochMs(ctx.clock)
    this.callId = generateCallId()
    this.tag = generateTag()
    const host = target.host.indexOf(':') !== -1 ? '[' + target.host + ']' : target.host
    // RFC 3263 §4.1: a transport other than UDP is named in the URI, so the gateway and any proxy keep to it.
    const ruri = 'sip:' + uriUser(target.calleeOut) + '@' + host + ':' + target.port + (target.transport === 'udp' ? '' : ';transport=' + target.transport)
    const h = new HeaderList()
    // RFC 3261 §16.6 step 3 (as a B2BUA passes it on): one less than the caller's Max-Forwards.
    h.append('max-forwards', String(Math.max(0, (callerInvite.maxForwards ?? 70) - 1)))
    const id = target.callerId
    // RFC 3323 §4.1.1.3: an anonymous From when the caller ID rule hides the number.
    const from = id?.anonymous === true ? ANONYMOUS_FROM : '<sip:' + uriUser(target.callerOut) + '@' + ctx.hostport + '>'
    h.append('from', from + ';tag=' + this.tag)
    h.append('to', '<' + ruri + '>')
    h.append('call-id', this.callId)
    h.append('cseq', '1 INVITE')
    h.append('contact', ctx.contactFor(transport))
    h.append('allow', ctx.allow)
    if (ctx.supported.length > 0) h.append('supported', ctx.supported)
    // RFC 4028 §7.1: offer our session interval and minimum (SS_SESSION_EXPIRES 0: no headers).
    for (const [n, v] of calleeOfferHeaders(call.decision.params)) h.append(n, v)
    if (id !== undefined) {
      if (id.privacy !== null) h.append('privacy', id.privacy)
      // RFC 3325 §9.1: the identity we assert to a vendor in our trust domain.
      if (id.assertedIdentity !== null) h.append('p-asserted-identity', '<sip:' + uriUser(id.assertedIdentity) + '@' + ctx.hostport + '>')
    }
    const body = offer
    const ct = callerInvite.headers.first('content-type')
    // The caller's SDP, rewritten by the media anchor when the call is relayed (call.ts prepares it).
    if (body.length > 0 && ct !== undefined) h.append('content-type', ct)
    this.invite = new SipRequest('INVITE', ruri, h, body)
    ctx.layer.addVia(this.invite, transport)
    this.transport = transport
    const v = isIP(target.host)
    this.remote = { address: target.host, port: target.port, family: v === 6 ? 'IPv6' : 'IPv4' }
  }

  /** The transport the INVITE actually went on (TCP for a large one, RFC 3261 §18.1.1, or back to UDP). */
  get wireTransport(): Transport {
    return this.ict?.transport ?? this.transport
  }

  /** Sends the INVITE through a new client transaction (RFC 3261 §17.1.1). */
  start(): void {
    this.ict = this.ctx.layer.sendRequest(this.invite, this.transport, this.remote, this) as InviteClientTransaction
  }

  /** Responses of the INVITE (and of our CANCEL/BYE, which change nothing). */
  onResponse(res: SipResponse, tx: ClientTransaction): void {
    if (tx !== this.ict) return
    const s = res.status
    if (s < 200) {
      // RFC 3261 §16.7 item 5 (as a B2BUA): 100 is hop-by-hop and never relayed.
      if (this.state === 'calling') this.state = 'proceeding'
      if (s === 100) return
      this.lastProvisional = s
      this.pddMs ??= epochMs(this.ctx.clock) - this.startedAtMs
      this.takeEarlyDialog(res)
      if (this.attached) this.call.onAttemptProvisional(this, res)
      return
    }
    if (s < 300) {
      this.pddMs ??= epochMs(this.ctx.clock) - this.startedAtMs
      return this.on2xx(res)
    }
    // RFC 3261 §17.1.1.3: the ICT ACKed the non-2xx itself.
    if (this.state === 'answered') return
    if (s === 422 && this.retry422(res)) return
    this.state = 'failed'
    this.dialog?.terminate()
    if (this.attached) this.call.onAttemptFailed(this, s, res.reason)
  }

  /**
   * RFC 4028 §7.4: a 422 names the gateway's Min-SE: the same attempt retries once with Session-Expires raised to it
   * and the next CSeq (RFC 3261 §8.1.3.5 style); a second 422, or one without a usable Min-SE, fails the attempt.
   */
  private retry422(res: SipResponse): boolean {
    const min = minSeOf(res)
    if (this.retried422 || !this.attached || min === 0 || this.call.decision.params.SS_SESSION_EXPIRES === 0) return false
    this.retried422 = true
    const h = this.invite.headers.clone()
    h.remove('via')
    h.set('cseq', `${this.inviteSeq + 1} INVITE`)
    h.remove('session-expires')
    h.remove('min-se')
    for (const [n, v] of calleeOfferHeaders(this.call.decision.params, min)) h.append(n, v)
    this.invite = new SipRequest('INVITE', this.invite.uri, h, this.invite.body)
    this.ctx.layer.addVia(this.invite, this.transport)
    this.dialog = null
    this.state = 'calling'
    this.start()
    return true
  }

  /** Timer B or the §9.1 guard after our CANCEL: no final response (408). */
  onTimeout(_f: TransactionFailure, tx: ClientTransaction): void {
    if (tx !== this.ict || this.state === 'answered') return
    this.state = 'failed'
    if (this.attached) this.call.onAttemptFailed(this, null, 'Request Timeout')
  }

  /** The INVITE could not be sent (503). */
  onTransportError(_f: TransactionFailure, tx: ClientTransaction): void {
    if (tx !== this.ict || this.state === 'answered') return
    this.state = 'failed'
    if (this.attached) this.call.onAttemptFailed(this, null, 'Service Unavailable')
  }

  /** RFC 6026 §7.2: a 2xx that arrived after the ICT ended: re-send our ACK if we sent one. */
  onStray2xx(res: SipResponse): void {
    this.dialog?.onRetransmitted2xx(res, this.ctx.layer)
  }

  /** RFC 3261 §13.2.2.4: ACK the 2xx (with the caller's SDP in a late-offer call). */
  ack(body: Buffer = EMPTY_BODY, contentType?: string): void {
    const d = this.dialog
    // Our own flag, not the dialog's last ACK: a relayed re-INVITE's ACK replaces that one.
    if (d === null || this.acked) return
    this.acked = true
    d.sendAck(this.ctx.layer, this.inviteSeq, body, contentType)
  }

  /** CSeq number of our INVITE. */
  get inviteSeq(): number {
    return this.invite.cseq?.seq ?? 1
  }

  /**
   * Lets go of the attempt: RFC 3261 §9.1 CANCEL when it has no final yet (deferred until a provisional while calling).
   * Returns the attempt's code for the CDR: 487 when the CANCEL goes out now (§9.2: what a proceeding INVITE ends
   * with; recorded without waiting for it), null when the gateway never answered at all.
   */
  abandon(): number | null {
    this.attached = false
    const ict = this.ict
    if (this.state === 'answered' || this.state === 'failed' || ict === null) return null
    this.ctx.layer.cancel(ict, this)
    return this.state === 'proceeding' ? 487 : null
  }

  /** §15.1.1: ends an answered attempt: ACK first when we still owe it (§13.2.2.4), then BYE; the leg is detached. */
  hangup(): void {
    this.attached = false
    const d = this.dialog
    if (d === null || d.state !== 'confirmed') return
    this.ack()
    this.sendInDialog(d.createRequest('BYE'), IGNORE_RESPONSES)
    d.terminate()
  }

  /** Sends a request our dialog built through a new client transaction. */
  sendInDialog(req: SipRequest, user: TransactionUser): void {
    const d = this.dialog!
    this.ctx.layer.addVia(req, d.transport)
    this.ctx.layer.sendRequest(req, d.transport, d.nextHop(), user)
  }

  private on2xx(res: SipResponse): void {
    if (this.state === 'answered') {
      if (this.dialog !== null && res.to?.tag === this.dialog.remoteTag) {
        // RFC 6026 §8.4: a retransmitted 2xx, passed up by the ICT in accepted: the same ACK again (once sent).
        this.dialog.onRetransmitted2xx(res, this.ctx.layer)
      } else this.dropFork(res)
      return
    }
    this.state = 'answered'
    const d = this.dialog
    if (d !== null && d.remoteTag === res.to?.tag) d.confirm(res)
    else this.dialog = uacDialog(this.invite, res, this.wireTransport, this.remote, this.ctx.layer.transports) ?? null
    if (this.dialog === null) return
    // Timer M's 2xx retransmissions need the dialog, not the call: hand them over so the ended call can be collected.
    this.ict?.handOver(new AnsweredInvite(this.dialog, this.invite, this.inviteSeq, this.wireTransport, this.remote, this.ctx.layer))
    if (this.attached) {
      this.call.onAttemptAnswered(this, res)
      return
    }
    // An attempt the call gave up on answered anyway (late 200, or 200 crossing our CANCEL): ACK and BYE it.
    this.hangup()
  }

  /** RFC 3261 §13.2.2.4: a 2xx from a second fork forms its own dialog, which we ACK and end at once. */
  private dropFork(res: SipResponse): void {
    const fork = uacDialog(this.invite, res, this.wireTransport, this.remote, this.ctx.layer.transports)
    if (fork === undefined) return
    fork.sendAck(this.ctx.layer, this.inviteSeq)
    const bye = fork.createRequest('BYE')
    this.ctx.layer.addVia(bye, fork.transport)
    this.ctx.layer.sendRequest(bye, fork.transport, fork.nextHop(), IGNORE_RESPONSES)
    fork.terminate()
  }

  /** §12.1.2: a tagged 1xx forms (or, from another fork, replaces) the early dialog. */
  private takeEarlyDialog(res: SipResponse): void {
    const tag = res.to?.tag
    if (tag === undefined || (this.dialog !== null && this.dialog.remoteTag === tag)) return
    this.dialog = uacDialog(this.invite, res, this.wireTransport, this.remote, this.ctx.layer.transports) ?? null
  }
}
