// Leg B: one routing attempt as a UAC (RFC 3261 §13.2): its own Call-ID, tags and CSeq space, the INVITE client transaction, the early/confirmed dialog and the ACK for its 2xx.
import { isIP } from 'node:net'
import type { Dialog } from '../../sip/dialog/dialog.js'
import { inviteFacts, uacDialog } from '../../sip/dialog/dialog.js'
import { buildPrack, ProvisionalSequence } from '../../sip/dialog/prack-client.js'
import { generateCallId, generateTag } from '../../sip/message/build.js'
import { HeaderList } from '../../sip/message/header-list.js'
import { EMPTY_BODY, SipRequest, type SipResponse } from '../../sip/message/message.js'
import type { InviteClientTransaction } from '../../sip/transaction/invite-client.js'
import type { TransactionFailure } from '../../sip/transaction/failures.js'
import type { ClientTransaction, TransactionUser } from '../../sip/transaction/types.js'
import type { RemoteAddr, Transport } from '../../transport/types.js'
import { epochMs } from '../cdr-facts.js'
import type { RouteTarget } from '../ports.js'
import { calleeOfferHeaders, minSeOf, type SessionParams } from '../session-timer.js'
import { AnsweredInvite } from './answered-invite.js'
import { IGNORE_RESPONSES } from './ignore-responses.js'
import type { LegContext } from './leg-context.js'

/** Where the INVITE stands: sent, a provisional seen, answered (2xx), failed (3xx-6xx, timeout, transport). */
export type UacLegState = 'calling' | 'proceeding' | 'answered' | 'failed'

/** RFC 3323 §4.1.1.3's anonymous From. */
const ANONYMOUS_FROM = '"Anonymous" <sip:anonymous@anonymous.invalid>'

/** Allowed transitions; `proceeding -> calling` is the RFC 4028 §7.4 retry after a 422 (same attempt, next CSeq). */
const UAC_LEG_NEXT: Readonly<Record<UacLegState, readonly UacLegState[]>> = {
  calling: ['proceeding', 'answered', 'failed'],
  proceeding: ['calling', 'answered', 'failed'],
  answered: [],
  failed: [],
}

/** Thrown when our own code asks a leg for a transition the table forbids (a bug, never network input). */
export class UacLegStateError extends Error {
  override name = 'UacLegStateError'
}

/** What an attempt tells the one who started it (the call's failover); nothing is told once the leg is detached. */
export interface AttemptOwner {
  /** The first 100 Trying: the gateway is reachable and working on the INVITE (no ringing yet). */
  onAttemptTrying(leg: UacLeg): void
  /**
   * A 18x with or without SDP (never 100, never a reliable one's retransmission). `reliable`: RFC 3262, PRACKed by the
   * leg as soon as this returns unless the owner called `holdPrack()` meanwhile.
   */
  onAttemptProvisional(leg: UacLeg, res: SipResponse, reliable: boolean): void
  /** The 2xx that answered the attempt (the dialog is confirmed; the ACK is the owner's call). */
  onAttemptAnswered(leg: UacLeg, res: SipResponse): void
  /** 3xx-6xx (`status`, with the response `res`), Timer B or a transport failure (`status` null). */
  onAttemptFailed(leg: UacLeg, status: number | null, phrase: string, res?: SipResponse): void
  /** `release()` ran: the owner gives the gateway line back and forgets the leg. */
  onAttemptReleased(leg: UacLeg): void
}

/** Options of one attempt beyond its target and offer. */
export interface AttemptOptions {
  /** Name 100rel in Supported (RFC 3262 §4): the caller supports or requires it, so a reliable offer can be answered. */
  offer100rel: boolean
}

/** Our Supported value without the `100rel` tag. */
let lastSupported = ''
let lastWithout100rel = ''

/** The Supported list without `100rel`; the list is the node's own, so the last answer is kept. */
function without100rel(supported: string): string {
  if (supported !== lastSupported) {
    lastWithout100rel = supported.split(',').map((t) => t.trim()).filter((t) => t !== '' && t.toLowerCase() !== '100rel').join(', ')
    lastSupported = supported
  }
  return lastWithout100rel
}

/** `#` is not allowed unescaped in a SIP URI user part (RFC 3261 §25.1). */
function uriUser(n: string): string {
  return n.indexOf('#') === -1 ? n : n.replaceAll('#', '%23')
}

/** One attempt of a call toward one routing gateway. */
export class UacLeg implements TransactionUser {
  readonly side = 'b' as const
  readonly target: RouteTarget
  /**
   * Our INVITE (replaced once by the RFC 4028 §7.4 retry after a 422: same attempt, next CSeq), until its 2xx is in and
   * Timer M's user has its facts: nothing later reads it.
   */
  private req: SipRequest | null
  /** CSeq number of our INVITE. */
  private seq = 1
  readonly callId: string
  /** Our From tag. */
  readonly tag: string
  readonly startedAtMs: number
  readonly transport: Transport
  /** The gateway's address (RouteTarget host:port). */
  readonly remote: RemoteAddr
  dialog: Dialog | null = null
  /** The last provisional status seen (180/183), 0 when none. */
  lastProvisional = 0
  /** A 100 Trying came: the gateway answered, so a timeout before any 18x is a slow vendor, not an unreachable one. */
  trying = false
  /** Post-dial delay of this attempt: its start to the first 18x or the answer, ms; null until one came. */
  pddMs: number | null = null
  private st: UacLegState = 'calling'
  /** True once the call let go of this attempt (gave up, cancelled, or ended): a late 2xx is then ACKed and BYEd here. */
  private detached = false
  /** `release()` ran (the gateway line goes back exactly once). */
  private released = false
  /** Our INVITE's 2xx was ACKed (§13.2.2.4). */
  private acked = false
  private readonly ctx: LegContext
  private readonly owner: AttemptOwner
  private readonly params: SessionParams
  private ict: InviteClientTransaction | null = null
  private retried422 = false
  /** RFC 3262 §4: the in-order RSeq of each early dialog. */
  private readonly reliable = new ProvisionalSequence()
  /** The reliable provisional being reported to the owner (`holdPrack` holds its PRACK). */
  private reporting: number | null = null
  /** A PRACK the owner holds until it has the SDP answer for it (RFC 3262 §5). */
  private heldPrack: { rseq: number; dialog: Dialog } | null = null

  constructor(
    ctx: LegContext, owner: AttemptOwner, target: RouteTarget, params: SessionParams, callerInvite: SipRequest, transport: Transport,
    offer: Buffer = callerInvite.body, opts: AttemptOptions = { offer100rel: false },
  ) {
    this.ctx = ctx
    this.owner = owner
    this.params = params
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
    const supported = opts.offer100rel ? ctx.supported : without100rel(ctx.supported)
    if (supported.length > 0) h.append('supported', supported)
    // RFC 4028 §7.1: offer our session interval and minimum (SS_SESSION_EXPIRES 0: no headers).
    for (const [n, v] of calleeOfferHeaders(params)) h.append(n, v)
    if (id !== undefined) {
      if (id.privacy !== null) h.append('privacy', id.privacy)
      // RFC 3325 §9.1: the identity we assert to a vendor in our trust domain.
      if (id.assertedIdentity !== null) h.append('p-asserted-identity', '<sip:' + uriUser(id.assertedIdentity) + '@' + ctx.hostport + '>')
    }
    const body = offer
    const ct = callerInvite.headers.first('content-type')
    // The caller's SDP, rewritten by the media anchor when the call is relayed (call.ts prepares it).
    if (body.length > 0 && ct !== undefined) h.append('content-type', ct)
    this.req = new SipRequest('INVITE', ruri, h, body)
    ctx.layer.addVia(this.req, transport)
    this.transport = transport
    const v = isIP(target.host)
    this.remote = target.nextHop ?? { address: target.host, port: target.port, family: v === 6 ? 'IPv6' : 'IPv4' }
  }

  /** Where the INVITE stands. */
  get state(): UacLegState {
    return this.st
  }

  /** False once the call let go of this attempt (`abandon`, `hangup` or `release`). */
  get attached(): boolean {
    return !this.detached
  }

  /** Moves to `next` after checking the transition table. */
  private enter(next: UacLegState): void {
    if (!UAC_LEG_NEXT[this.st].includes(next)) throw new UacLegStateError(`uac leg ${this.callId}: illegal transition ${this.st} -> ${next}`)
    this.st = next
  }

  /**
   * The call lets go of this attempt, once: it is detached (a late 2xx is ACKed and BYEd here) and its owner gives the
   * gateway line back and forgets it.
   */
  release(): void {
    if (this.released) return
    this.released = true
    this.detached = true
    this.owner.onAttemptReleased(this)
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
      if (this.st === 'calling') this.enter('proceeding')
      if (s === 100) {
        if (!this.trying && this.lastProvisional === 0 && !this.detached) this.owner.onAttemptTrying(this)
        this.trying = true
        return
      }
      const kind = this.reliable.classify(res)
      // RFC 3262 §4: a reliable provisional's retransmission (or one out of order) is discarded: not relayed, not PRACKed.
      if (kind.kind === 'discard') return
      this.lastProvisional = s
      this.pddMs ??= epochMs(this.ctx.clock) - this.startedAtMs
      this.takeEarlyDialog(res)
      const rseq = kind.kind === 'new' ? kind.rseq : null
      this.reporting = rseq
      if (!this.detached) this.owner.onAttemptProvisional(this, res, rseq !== null)
      this.reporting = null
      if (rseq !== null && this.heldPrack?.rseq !== rseq) this.sendPrack(rseq, this.dialog)
      return
    }
    if (s < 300) {
      this.pddMs ??= epochMs(this.ctx.clock) - this.startedAtMs
      return this.on2xx(res)
    }
    // RFC 3261 §17.1.1.3: the ICT ACKed the non-2xx itself.
    if (this.st === 'answered' || this.st === 'failed') return
    if (s === 422 && this.retry422(res)) return
    this.enter('failed')
    this.dialog?.terminate()
    if (!this.detached) this.owner.onAttemptFailed(this, s, res.reason, res)
  }

  /**
   * RFC 4028 §7.4: a 422 names the gateway's Min-SE: the same attempt retries once with Session-Expires raised to it
   * and the next CSeq (RFC 3261 §8.1.3.5 style); a second 422, or one without a usable Min-SE, fails the attempt.
   */
  private retry422(res: SipResponse): boolean {
    const min = minSeOf(res)
    if (this.retried422 || this.detached || min === 0 || this.params.SS_SESSION_EXPIRES === 0) return false
    this.retried422 = true
    const h = this.invite.headers.clone()
    h.remove('via')
    h.set('cseq', `${this.inviteSeq + 1} INVITE`)
    h.remove('session-expires')
    h.remove('min-se')
    for (const [n, v] of calleeOfferHeaders(this.params, min)) h.append(n, v)
    this.req = new SipRequest('INVITE', this.invite.uri, h, this.invite.body)
    this.seq = this.inviteSeq + 1
    this.ctx.layer.addVia(this.req, this.transport)
    this.dialog = null
    if (this.st !== 'calling') this.enter('calling')
    this.start()
    return true
  }

  /**
   * RFC 3262 §5: the reliable provisional being reported carried an offer whose answer comes later (the caller's
   * PRACK): its PRACK waits for `releasePrack`.
   */
  holdPrack(): void {
    if (this.reporting !== null && this.dialog !== null) this.heldPrack = { rseq: this.reporting, dialog: this.dialog }
  }

  /** Sends the held PRACK with the SDP answer (RFC 3262 §5); nothing when none is held. */
  releasePrack(body: Buffer, contentType: string | undefined): void {
    const h = this.heldPrack
    if (h === null) return
    this.heldPrack = null
    this.sendPrack(h.rseq, h.dialog, body, contentType)
  }

  /** RFC 3262 §4: PRACK in the provisional's early dialog; its outcome changes nothing (the gateway re-sends or gives up). */
  private sendPrack(rseq: number, dialog: Dialog | null, body?: Buffer, contentType?: string): void {
    if (dialog === null || dialog.state === 'terminated') return
    const prack = buildPrack(dialog, rseq, this.inviteSeq, body, contentType)
    this.ctx.layer.addVia(prack, dialog.transport)
    this.ctx.layer.sendRequest(prack, dialog.transport, dialog.nextHop(), IGNORE_RESPONSES)
  }

  /** Timer B or the §9.1 guard after our CANCEL: no final response (408). */
  onTimeout(_f: TransactionFailure, tx: ClientTransaction): void {
    if (tx !== this.ict || this.st === 'answered' || this.st === 'failed') return
    this.enter('failed')
    if (!this.detached) this.owner.onAttemptFailed(this, null, 'Request Timeout')
  }

  /** The INVITE could not be sent (503). */
  onTransportError(_f: TransactionFailure, tx: ClientTransaction): void {
    if (tx !== this.ict || this.st === 'answered' || this.st === 'failed') return
    this.enter('failed')
    if (!this.detached) this.owner.onAttemptFailed(this, null, 'Service Unavailable')
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
    return this.seq
  }

  /** Our INVITE; only until it is answered (a bug to ask later: the leg let it go). */
  get invite(): SipRequest {
    if (this.req === null) throw new Error('the INVITE was let go after its 2xx')
    return this.req
  }

  /**
   * Lets go of the attempt: RFC 3261 §9.1 CANCEL when it has no final yet (deferred until a provisional while calling).
   * Returns the attempt's code for the CDR: 487 when the CANCEL goes out now (§9.2: what a proceeding INVITE ends
   * with; recorded without waiting for it), null when the gateway never answered at all.
   */
  abandon(): number | null {
    this.detached = true
    const ict = this.ict
    if (this.st === 'answered' || this.st === 'failed' || ict === null) return null
    this.ctx.layer.cancel(ict, this)
    return this.st === 'proceeding' ? 487 : null
  }

  /** §15.1.1: ends an answered attempt: ACK first when we still owe it (§13.2.2.4), then BYE; the leg is detached. */
  hangup(): void {
    this.detached = true
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
    if (this.st === 'answered') {
      if (this.dialog !== null && res.to?.tag === this.dialog.remoteTag) {
        // RFC 6026 §8.4: a retransmitted 2xx, passed up by the ICT in accepted: the same ACK again (once sent).
        this.dialog.onRetransmitted2xx(res, this.ctx.layer)
      } else this.dropFork(res)
      return
    }
    this.enter('answered')
    const d = this.dialog
    if (d !== null && d.remoteTag === res.to?.tag) d.confirm(res)
    else this.dialog = uacDialog(this.invite, res, this.wireTransport, this.remote, this.ctx.layer.transports, this.target.nextHop !== undefined) ?? null
    if (this.dialog === null) return
    // Timer M's 2xx retransmissions need the dialog, not the call: hand them over so the ended call can be collected.
    const facts = this.ict === null ? undefined : inviteFacts(this.invite)
    if (facts !== undefined) {
      const d = this.dialog
      const answered = new AnsweredInvite(d.ackSent, d.remoteTag, facts, this.wireTransport, this.ict!.remote, this.ctx.layer, this.target.nextHop !== undefined)
      d.ackSent = answered
      this.ict!.handOver(answered)
    }
    if (!this.detached) {
      this.owner.onAttemptAnswered(this, res)
      // Timer M's user answers every later 2xx (a fork's too): the INVITE, its headers and body, need not live with the call.
      if (facts !== undefined) this.req = null
      return
    }
    // An attempt the call gave up on answered anyway (late 200, or 200 crossing our CANCEL): ACK and BYE it.
    this.hangup()
  }

  /** RFC 3261 §13.2.2.4: a 2xx from a second fork forms its own dialog, which we ACK and end at once. */
  private dropFork(res: SipResponse): void {
    const fork = uacDialog(this.invite, res, this.wireTransport, this.remote, this.ctx.layer.transports, this.target.nextHop !== undefined)
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
    this.dialog = uacDialog(this.invite, res, this.wireTransport, this.remote, this.ctx.layer.transports, this.target.nextHop !== undefined) ?? null
  }
}
