// INVITE server transaction: RFC 3261 §17.2.1 as corrected by RFC 6026 §8.5-8.7 (Accepted state, Timer L).
import type { RemoteAddr, Transport, TransportFailure } from '../../transport/types.js'
import type { SipRequest, SipResponse } from '../message/message.js'
import { serializeMessage } from '../message/serialize.js'
import { ownString } from '../../lib/own-string.js'
import { TransactionStateError, timeoutFailure, transportFailure } from './failures.js'
import { isRfc2543Key } from './key.js'
import { keepBytes, keptBytes, Transaction, type ServerMachineUser, type TransactionContext } from './transaction.js'

/**
 * The final's To tag where an ACK may need it (kept 32 s: a copy, not a slice of the response's text). Only the RFC 2543
 * fallback matches an ACK by it; an RFC 3261 ACK matches by its branch, so those transactions keep none.
 */
function ownTag(key: string, tag: string | undefined): string | undefined {
  return tag === undefined || !isRfc2543Key(key) ? undefined : ownString(tag)
}

/** RFC 3261 Figure 7 + RFC 6026 Figure 5 state names. */
export type IstState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated'

const IST_NEXT: Record<IstState, readonly IstState[]> = {
  proceeding: ['accepted', 'completed', 'terminated'],
  accepted: ['terminated'],
  completed: ['confirmed', 'terminated'],
  confirmed: ['terminated'],
  terminated: [],
}

/** Carries the TU's responses to an INVITE, retransmits non-2xx finals on Timer G until the ACK, absorbs INVITE retransmissions. */
export class InviteServerTransaction extends Transaction<IstState> {
  get kind(): 'ist' {
    return 'ist'
  }

  protected get next(): Readonly<Record<IstState, readonly IstState[]>> {
    return IST_NEXT
  }

  /** Where the request came from (the response target may differ in port, RFC 3261 §18.2.2). */
  readonly source: RemoteAddr
  /** To tag of the final response we sent, for RFC 2543 ACK matching (the ACK for a non-2xx carries it); see `ownTag`. */
  finalToTag: string | undefined = undefined
  private readonly user: ServerMachineUser<InviteServerTransaction>
  /** A non-2xx final, re-sent by Timer G and for retransmitted INVITEs until the ACK (Timer H). */
  private finalKept: string | null = null
  /** When the layer's record took over accepted (it ends Timer L): when the TU's 2xx stop passing through. */
  private handedOffUntil = NaN

  constructor(ctx: TransactionContext, key: string, request: SipRequest, transport: Transport, target: RemoteAddr, source: RemoteAddr, user: ServerMachineUser<InviteServerTransaction>) {
    super(ctx, key, request, transport, target, 'proceeding')
    this.source = source
    this.user = user
  }

  /** One transition: table check, old timers cleared, new ones armed, layer told on terminated. */
  private enter(next: IstState): void {
    this.transition(next)
    this.clearTimers()
    const l = this.live
    if (next !== 'proceeding') {
      // Past proceeding nothing re-sends a provisional or reaches the TU's call through userData (a CANCEL is only
      // delivered in proceeding): drop both, so the 32 s wait states (Timers H, L) do not keep the whole call alive.
      if (l !== null) l.wire = null
      this.userData = undefined
    }
    const c = this.ctx.clock
    switch (next) {
      case 'completed': {
        // RFC 3261 §17.2.1: Timer G (T1, unreliable only) retransmits the final; Timer H (64*T1) waits for the ACK.
        const { t } = l!
        if (t.G > 0) {
          l!.interval = t.G
          l!.retransmitTimer = c.after(t.G, (l!.fire ??= () => this.onTimerG()))
        }
        l!.timeoutTimer = c.after(t.H, () => this.onTimerH())
        // Waiting up to 64*T1 for the ACK needs only the final's bytes: let the INVITE's parsed views go (re-parsed if read).
        l!.req.releaseParsed()
        break
      }
      case 'confirmed':
        // RFC 3261 §17.2.1: Timer I (T4 unreliable, 0 reliable) absorbs ACK retransmissions; the final is not re-sent.
        this.finalKept = null
        this.ctx.wait(l!.t.I, this)
        this.releaseRequest()
        break
      case 'accepted':
        // RFC 6026 §8.7: Timer L = 64*T1 on every transport. Absorbing INVITE retransmissions, matching the ACK and
        // passing the TU's 2xx retransmissions need the key, the To tag and the response target only; the layer's
        // record does the first two (the machine then stays accepted for the TU's 2xx, Timer L is the layer's).
        if (this.ctx.handOff(this, l!.t.L)) this.handedOffUntil = c.now() + l!.t.L
        else this.ctx.wait(l!.t.L, this)
        this.releaseRequest()
        break
      case 'terminated':
        this.finalKept = null
        this.ctx.terminated(this)
        break
      case 'proceeding':
        break
    }
  }

  /**
   * Sends a response from the TU. RFC 3261 §17.2.1 / RFC 6026 §8.6: 1xx and the first final in proceeding;
   * further 2xx (the TU's own §13.3.1.4 retransmissions) in accepted. Returns false once terminated (send the
   * 2xx statelessly then); throws TransactionStateError for anything else.
   */
  respond(res: SipResponse): boolean {
    const s = res.status
    switch (this.state) {
      case 'proceeding': {
        const wire = serializeMessage(res)
        this.send(wire)
        this.ctx.sent(res)
        if (s < 200) {
          if (this.live !== null) this.live.wire = wire
        } else if (s < 300) {
          // RFC 6026 §8.5: 2xx from TU in proceeding -> sent once, accepted; the TU retransmits it, not us.
          this.finalToTag = ownTag(this.key, res.to?.tag)
          this.enter('accepted')
        } else {
          // RFC 3261 §17.2.1: 300-699 from TU -> completed with Timers G and H.
          this.finalToTag = ownTag(this.key, res.to?.tag)
          this.finalKept = keepBytes(wire)
          this.enter('completed')
        }
        return true
      }
      case 'accepted':
        // Timer L ran out in the layer's record: terminated now (the TU sends statelessly from here).
        if (this.ctx.clock.now() >= this.handedOffUntil) {
          this.enter('terminated')
          return false
        }
        // RFC 6026 §8.6: 2xx retransmissions from the TU in accepted are passed to the transport.
        if (s >= 200 && s < 300) {
          this.send(serializeMessage(res))
          this.ctx.sent(res)
          return true
        }
        throw new TransactionStateError(`ist: ${s} after a 2xx was sent`)
      case 'terminated':
        return false
      case 'completed':
      case 'confirmed':
        throw new TransactionStateError(`ist: ${s} after a final response (${this.state})`)
    }
  }

  /**
   * Deviation: RFC 3261 has no way for a TU to leave an INVITE unanswered; the policy must (an unknown source with
   * SS_REPLY_UNAUTHORIZED off). The machine stays in proceeding absorbing retransmissions silently for 64*T1 (Timer H's
   * span), then terminates without telling the TU, so a dropped INVITE neither leaks nor reaches the TU twice.
   */
  dropUnanswered(): void {
    const l = this.live
    if (this.state !== 'proceeding' || l === null || l.timeoutTimer !== null) return
    l.wire = null
    l.timeoutTimer = this.ctx.clock.after(l.t.H, () => this.onDropTimeout())
  }

  private onDropTimeout(): void {
    if (this.live !== null) this.live.timeoutTimer = null
    if (this.state === 'proceeding') this.enter('terminated')
  }

  /** A retransmission of the INVITE (matched by the layer). */
  onRetransmission(): void {
    switch (this.state) {
      case 'proceeding':
        // RFC 3261 §17.2.1: INVITE retransmission in proceeding -> re-send the most recent provisional.
        if (this.live?.wire != null) {
          this.send(this.live.wire)
          this.ctx.retransmitted(this.kind)
        }
        return
      case 'completed':
        // RFC 3261 §17.2.1: INVITE retransmission in completed -> re-send the final response.
        if (this.finalKept !== null) {
          this.send(keptBytes(this.finalKept))
          this.ctx.retransmitted(this.kind)
        }
        return
      case 'accepted':
      // RFC 6026 §8.7: INVITE retransmissions in accepted are absorbed (the TU retransmits its 2xx).
      case 'confirmed':
      case 'terminated':
        return
    }
  }

  /** An ACK matched to this transaction; returns true when it belongs to the TU (RFC 6026 §8.7, accepted state). */
  onAck(): boolean {
    switch (this.state) {
      case 'completed':
        // RFC 3261 §17.2.1: ACK in completed -> confirmed; Timer G stops, Timer I starts.
        this.enter('confirmed')
        return false
      case 'accepted':
        // RFC 6026 §8.7: ACKs in accepted MUST be passed to the TU, not absorbed.
        return true
      case 'confirmed':
        // RFC 3261 §17.2.1: ACK retransmissions in confirmed are absorbed.
        return false
      case 'proceeding':
      case 'terminated':
        this.unexpected(`ACK in ${this.state}`)
        return false
    }
  }

  /** Timer G: re-send the final, interval doubling up to T2. RFC 3261 §17.2.1. */
  onTimerG(): void {
    const l = this.live
    if (l === null) return
    l.retransmitTimer = null
    if (this.state !== 'completed' || this.finalKept === null) return
    this.send(keptBytes(this.finalKept))
    this.ctx.retransmitted(this.kind)
    l.interval = Math.min(2 * l.interval, l.t.T2)
    l.retransmitTimer = this.ctx.clock.after(l.interval, (l.fire ??= () => this.onTimerG()))
  }

  /** Timer H: the ACK never came; terminated and the TU told (408). RFC 3261 §17.2.1. */
  onTimerH(): void {
    if (this.live !== null) this.live.timeoutTimer = null
    if (this.state !== 'completed') return
    this.enter('terminated')
    this.user.onServerFailure(timeoutFailure('H'), this)
  }

  /** Timer I: stop absorbing ACK retransmissions. RFC 3261 §17.2.1. */
  onTimerI(): void {
    if (this.state === 'confirmed') this.enter('terminated')
  }

  /** Timer I or L ran out (the wait state's one timer). */
  waitOver(): void {
    if (this.state === 'confirmed') this.onTimerI()
    else if (this.state === 'accepted') this.onTimerL()
  }

  /** Timer L: stop absorbing INVITE retransmissions after a 2xx. RFC 6026 §8.7. */
  onTimerL(): void {
    if (this.state === 'accepted') this.enter('terminated')
  }

  /** RFC 3261 §17.2.4: a response could not be sent -> TU told (503); terminated unless accepted (RFC 6026 keeps it for Timer L). */
  onSendError(failure: TransportFailure): void {
    if (this.state === 'terminated' || this.state === 'confirmed') return this.unexpected(`send error ${failure.code}`)
    // Deviation: in accepted the transaction stays until Timer L so INVITE retransmissions are still absorbed.
    if (this.state !== 'accepted') this.enter('terminated')
    this.user.onServerFailure(transportFailure(failure), this)
  }
}
