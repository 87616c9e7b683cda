// Non-INVITE client transaction: RFC 3261 §17.1.2 (Timers E, F, K).
import type { RemoteAddr, Transport, TransportFailure } from '../../transport/types.js'
import type { SipRequest, SipResponse } from '../message/message.js'
import { timeoutFailure, transportFailure } from './failures.js'
import { keepBytes, keptBytes, Transaction, type ClientMachineUser, type TransactionContext } from './transaction.js'

/** RFC 3261 Figure 6 state names. */
export type NictState = 'trying' | 'proceeding' | 'completed' | 'terminated'

const NICT_NEXT: Record<NictState, readonly NictState[]> = {
  trying: ['proceeding', 'completed', 'terminated'],
  proceeding: ['completed', 'terminated'],
  completed: ['terminated'],
  terminated: [],
}

/** Sends a non-INVITE request, retransmits it on Timer E (capped at T2), gives up on Timer F. */
export class NonInviteClientTransaction extends Transaction<NictState> {
  get kind(): 'nict' {
    return 'nict'
  }

  protected get next(): Readonly<Record<NictState, readonly NictState[]>> {
    return NICT_NEXT
  }

  readonly user: ClientMachineUser<NonInviteClientTransaction>
  // The request's bytes (a slice of Node's pool) are `live.wire` while Timer E may still re-send them; at the first
  // retransmission they move to `live.kept`, so a peer that never answers does not pin a pool slab for Timer F's 32 s.

  constructor(ctx: TransactionContext, key: string, request: SipRequest, wire: Buffer, transport: Transport, remote: RemoteAddr, user: ClientMachineUser<NonInviteClientTransaction>) {
    super(ctx, key, request, transport, remote, 'trying')
    this.live!.wire = wire
    this.user = user
  }

  /** Sends the request and arms Timers E and F (RFC 3261 §17.1.2.2). */
  start(): void {
    const l = this.live!
    const wire = l.wire!
    // RFC 3261 §17.1.2.2: Timer E re-sends the request; over a reliable transport nothing does.
    if (l.t.E === 0) l.wire = null
    this.send(wire)
    this.arm('trying')
  }

  /** One transition: table check, timers for the new state, layer told on terminated. */
  private enter(next: NictState): void {
    this.transition(next)
    // RFC 3261 §17.1.2.2: E and F keep running from trying into proceeding; every other state starts clean.
    if (next !== 'proceeding') this.clearTimers()
    // Only trying and proceeding re-send the request.
    const l = this.live
    if (l !== null && (next === 'completed' || next === 'terminated')) {
      l.wire = null
      l.kept = null
      l.fire = null
    }
    this.arm(next)
    if (next === 'terminated') this.ctx.terminated(this)
  }

  private arm(state: NictState): void {
    const c = this.ctx.clock
    const l = this.live
    if (l === null) return
    if (state === 'trying') {
      if (l.t.E > 0) {
        l.interval = l.t.E
        l.retransmitTimer = c.after(l.interval, (l.fire ??= () => this.onTimerE()))
      }
      l.timeoutTimer = c.after(l.t.F, () => this.onTimerF())
    } else if (state === 'completed') {
      // RFC 3261 §17.1.2.2: Timer K = T4 (unreliable) absorbs response retransmissions, which needs no request.
      if (!this.ctx.handOff(this, l.t.K)) this.ctx.wait(l.t.K, this)
      this.releaseRequest()
    }
  }

  /** A response matched to this transaction by the layer. */
  onResponse(res: SipResponse): void {
    const s = res.status
    switch (this.state) {
      case 'trying':
      case 'proceeding':
        if (s < 200) {
          // RFC 3261 §17.1.2.2: 1xx in trying -> proceeding; passed to TU.
          if (this.state === 'trying') this.enter('proceeding')
        } else {
          // RFC 3261 §17.1.2.2: final (200-699) -> completed, passed to TU.
          this.enter('completed')
        }
        this.user.onResponse(res, this)
        return
      case 'completed':
        // RFC 3261 §17.1.2.2: retransmissions of the final are absorbed in completed.
        return
      case 'terminated':
        this.unexpected(`${s} in terminated`)
        return
    }
  }

  /** Timer E: retransmit; doubles to T2 in trying, fixed T2 in proceeding. RFC 3261 §17.1.2.2. */
  onTimerE(): void {
    const l = this.live
    if (l === null) return
    l.retransmitTimer = null
    if (this.state !== 'trying' && this.state !== 'proceeding') return
    if (l.wire !== null) {
      l.kept = keepBytes(l.wire)
      l.wire = null
    }
    if (l.kept === null) return
    this.send(keptBytes(l.kept))
    this.ctx.retransmitted(this.kind)
    l.interval = this.state === 'trying' ? Math.min(2 * l.interval, l.t.T2) : l.t.T2
    l.retransmitTimer = this.ctx.clock.after(l.interval, (l.fire ??= () => this.onTimerE()))
  }

  /** Timer F: no final response; terminated and 408 to the TU. RFC 3261 §17.1.2.2. */
  onTimerF(): void {
    if (this.live !== null) this.live.timeoutTimer = null
    if (this.state !== 'trying' && this.state !== 'proceeding') return
    this.enter('terminated')
    this.user.onTimeout(timeoutFailure('F'), this)
  }

  /** Timer K ran out (the wait state's one timer). */
  waitOver(): void {
    this.onTimerK()
  }

  /** Timer K: stop absorbing response retransmissions. RFC 3261 §17.1.2.2. */
  onTimerK(): void {
    if (this.state === 'completed') this.enter('terminated')
  }

  /** RFC 3261 §17.1.4: transport failure while trying/proceeding -> terminated, TU told (503); §18.1.1: a refused TCP connection for a large request retries over UDP first. */
  onSendError(failure: TransportFailure): void {
    const wire = this.state === 'trying' ? this.takeFallback(failure) : null
    if (wire !== null) {
      this.live!.wire = wire
      return this.start()
    }
    if (this.state === 'trying' || this.state === 'proceeding') {
      this.enter('terminated')
      this.user.onTransportError(transportFailure(failure), this)
    } else this.unexpected(`send error ${failure.code}`)
  }
}
