// INVITE client transaction: RFC 3261 §17.1.1 as corrected by RFC 6026 §8.4 (Accepted state, Timer M).
import type { RemoteAddr, Transport, TransportFailure } from '../../transport/types.js'
import { buildAckForNon2xx } from '../message/build.js'
import type { SipRequest, SipResponse } from '../message/message.js'
import { serializeMessage } from '../message/serialize.js'
import { timeoutFailure, transportFailure } from './failures.js'
import { keepBytes, keptBytes, Transaction, type AcceptedInviteUser, type ClientMachineUser, type TransactionContext } from './transaction.js'

/** Who hears from an INVITE client transaction (a TransactionUser of types.ts is one). */
export type IctUser = ClientMachineUser<InviteClientTransaction>

/** RFC 3261 Figure 5 + RFC 6026 Figure 3 state names. */
export type IctState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated'

const ICT_NEXT: Record<IctState, readonly IctState[]> = {
  calling: ['proceeding', 'accepted', 'completed', 'terminated'],
  proceeding: ['accepted', 'completed', 'terminated'],
  accepted: ['terminated'],
  completed: ['terminated'],
  terminated: [],
}

/** Sends an INVITE, retransmits it on Timer A, ACKs non-2xx finals itself and passes every 2xx up. */
export class InviteClientTransaction extends Transaction<IctState> {
  get kind(): 'ict' {
    return 'ict'
  }

  protected get next(): Readonly<Record<IctState, readonly IctState[]>> {
    return ICT_NEXT
  }

  /** The TU (until `handOver()`, which leaves the accepted transaction's 2xx to another user). */
  readonly user: IctUser
  /** Set by the layer when the TU asked to CANCEL before any provisional response (RFC 3261 §9.1). */
  cancelWanted: IctUser | null = null
  // The INVITE's bytes (a slice of Node's pool) are `live.wire` while Timer A may re-send them; at the first
  // retransmission they move to `live.kept`, so an unanswered INVITE does not pin a pool slab for Timer B's 32 s.
  /** The ACK for a non-2xx final, re-sent for every retransmission of that final until Timer D. */
  private ackKept: string | null = null
  private readonly onProceeding: ((tx: InviteClientTransaction) => void) | null

  constructor(ctx: TransactionContext, key: string, request: SipRequest, wire: Buffer, transport: Transport, remote: RemoteAddr, user: IctUser, onProceeding: ((tx: InviteClientTransaction) => void) | null) {
    super(ctx, key, request, transport, remote, 'calling')
    this.live!.wire = wire
    this.user = user
    this.onProceeding = onProceeding
  }

  /**
   * RFC 6026 §8.4: in accepted the TU only re-ACKs retransmitted 2xx (and ends other forks), which a much smaller object
   * can do: the TU hands that over, and the layer's record for Timer M keeps it instead of this machine, so the 32 s
   * keep neither the call nor the machine. Ignored in other states.
   */
  handOver(user: AcceptedInviteUser): void {
    if (this.state === 'accepted') this.ctx.handOver(this, user)
  }

  /** Sends the INVITE and arms Timers A and B (RFC 3261 §17.1.1.2). */
  start(): void {
    const l = this.live!
    const wire = l.wire!
    // RFC 3261 §17.1.1.2: Timer A re-sends the INVITE; over a reliable transport nothing does.
    if (l.t.A === 0) l.wire = null
    this.send(wire)
    this.arm('calling')
  }

  /** One transition: table check, old timers cleared, new ones armed, layer told on terminated. */
  private enter(next: IctState): void {
    this.transition(next)
    this.clearTimers()
    // Only calling re-sends the INVITE (its Timer A closure goes too: the wait states keep nothing they do not use).
    const l = this.live
    if (l !== null) {
      l.wire = null
      l.kept = null
      l.fire = null
    }
    this.arm(next)
    if (next === 'terminated') this.ctx.terminated(this)
    else if (next === 'proceeding') this.onProceeding?.(this)
  }

  private arm(state: IctState): void {
    const c = this.ctx.clock
    const l = this.live
    if (l === null) return
    switch (state) {
      case 'calling':
        // RFC 3261 §17.1.1.2: Timer A at T1 on unreliable transports, Timer B at 64*T1 always.
        if (l.t.A > 0) {
          l.interval = l.t.A
          l.retransmitTimer = c.after(l.interval, (l.fire ??= () => this.onTimerA()))
        }
        l.timeoutTimer = c.after(l.t.B, () => this.onTimerB())
        break
      case 'completed':
        // RFC 3261 §17.1.1.2: Timer D (>= 32 s unreliable, 0 reliable) absorbs final-response retransmissions (the ACK's
        // bytes re-sent need no request).
        this.ctx.wait(l.t.D, this)
        this.releaseRequest()
        break
      case 'accepted':
        // RFC 6026 §8.4: Timer M = 64*T1 keeps the transaction to pass 2xx retransmissions up (the TU holds what it needs).
        if (!this.ctx.handOff(this, l.t.M)) this.ctx.wait(l.t.M, this)
        this.releaseRequest()
        break
      case 'proceeding':
      case 'terminated':
        break
    }
  }

  /** A response matched to this transaction by the layer. */
  onResponse(res: SipResponse): void {
    const s = res.status
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        if (s < 200) {
          // RFC 3261 §17.1.1.2: 1xx in calling -> proceeding (no more retransmissions); 1xx always passed to TU.
          if (this.state === 'calling') this.enter('proceeding')
        } else if (s < 300) {
          // RFC 6026 §8.4: 2xx in calling/proceeding -> accepted, pass to TU; the TU ACKs it, not us.
          this.enter('accepted')
        } else {
          // RFC 3261 §17.1.1.2: 300-699 -> completed, generate the ACK (§17.1.1.3), pass to TU.
          const ack = buildAckForNon2xx(this.request, res)
          const ackWire = serializeMessage(ack)
          this.ackKept = keepBytes(ackWire)
          this.ctx.sent(ack)
          this.send(ackWire)
          this.enter('completed')
        }
        this.user.onResponse(res, this)
        return
      case 'accepted':
        // RFC 6026 §8.4: a 2xx retransmission in accepted MUST be passed to the TU; anything else is dropped.
        if (s >= 200 && s < 300) this.user.onResponse(res, this)
        else this.unexpected(`${s} in accepted`)
        return
      case 'completed':
        // RFC 3261 §17.1.1.2: retransmitted final in completed -> re-send ACK, not passed to TU.
        if (s >= 300 && this.ackKept !== null) {
          this.send(keptBytes(this.ackKept))
          this.ctx.retransmitted(this.kind)
        } else this.unexpected(`${s} in completed`)
        return
      case 'terminated':
        this.unexpected(`${s} in terminated`)
        return
    }
  }

  /** RFC 3261 §9.1: once our CANCEL is out, a missing final within 64*T1 means the INVITE is given up (408 to the TU). */
  armCancelGuard(): void {
    const l = this.live
    if (this.state !== 'proceeding' || l === null) return
    l.timeoutTimer?.cancel()
    l.timeoutTimer = this.ctx.clock.after(l.t.B, () => this.onCancelGuard())
  }

  /** The §9.1 guard fired: no final response after our CANCEL. */
  onCancelGuard(): void {
    if (this.live !== null) this.live.timeoutTimer = null
    if (this.state !== 'proceeding') return
    this.enter('terminated')
    this.user.onTimeout(timeoutFailure('cancel'), this)
  }

  /** Timer A: retransmit the INVITE and double the interval (no T2 cap for INVITE). RFC 3261 §17.1.1.2. */
  onTimerA(): void {
    const l = this.live
    if (l === null) return
    l.retransmitTimer = null
    if (this.state !== 'calling') return
    if (l.wire !== null) {
      l.kept = keepBytes(l.wire)
      l.wire = null
    }
    if (l.kept === null) return
    this.send(keptBytes(l.kept))
    this.ctx.retransmitted(this.kind)
    l.interval *= 2
    l.retransmitTimer = this.ctx.clock.after(l.interval, (l.fire ??= () => this.onTimerA()))
  }

  /** Timer B: no response at all; terminated and 408 to the TU. RFC 3261 §17.1.1.2. */
  onTimerB(): void {
    if (this.live !== null) this.live.timeoutTimer = null
    if (this.state !== 'calling') return
    this.enter('terminated')
    this.user.onTimeout(timeoutFailure('B'), this)
  }

  /** Timer D: stop absorbing final-response retransmissions. RFC 3261 §17.1.1.2. */
  onTimerD(): void {
    if (this.state === 'completed') this.enter('terminated')
  }

  /** Timer D or M ran out (the wait state's one timer). */
  waitOver(): void {
    if (this.state === 'completed') this.onTimerD()
    else if (this.state === 'accepted') this.onTimerM()
  }

  /** Timer M: stop passing 2xx retransmissions up. RFC 6026 §8.4. */
  onTimerM(): void {
    if (this.state === 'accepted') this.enter('terminated')
  }

  /** RFC 3261 §17.1.4: a transport failure while sending the INVITE or ACK -> terminated, TU told (503); §18.1.1: a refused TCP connection for a large INVITE retries over UDP first. */
  onSendError(failure: TransportFailure): void {
    const wire = this.state === 'calling' ? this.takeFallback(failure) : null
    if (wire !== null) {
      this.live!.wire = wire
      return this.start()
    }
    if (this.state === 'calling' || this.state === 'completed') {
      this.enter('terminated')
      this.user.onTransportError(transportFailure(failure), this)
    } else this.unexpected(`send error ${failure.code}`)
  }
}
