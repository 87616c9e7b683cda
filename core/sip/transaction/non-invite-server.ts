// Non-INVITE server transaction: RFC 3261 §17.2.2 (Timer J).
import type { RemoteAddr, Transport, TransportFailure } from '../../transport/types.js'
import type { SipRequest, SipResponse } from '../message/message.js'
import { serializeMessage } from '../message/serialize.js'
import { TransactionStateError, transportFailure } from './failures.js'
import { keepBytes, keptBytes, Transaction, type ServerMachineUser, type TransactionContext } from './transaction.js'

/** RFC 3261 Figure 8 state names. */
export type NistState = 'trying' | 'proceeding' | 'completed' | 'terminated'

const NIST_NEXT: Record<NistState, readonly NistState[]> = {
  trying: ['proceeding', 'completed', 'terminated'],
  proceeding: ['completed', 'terminated'],
  completed: ['terminated'],
  terminated: [],
}

/** Carries the TU's responses to a non-INVITE request and answers retransmissions with the last response. */
export class NonInviteServerTransaction extends Transaction<NistState> {
  get kind(): 'nist' {
    return 'nist'
  }

  protected get next(): Readonly<Record<NistState, readonly NistState[]>> {
    return NIST_NEXT
  }

  /** Where the request came from. */
  readonly source: RemoteAddr
  private readonly user: ServerMachineUser<NonInviteServerTransaction> | null
  /** The final's bytes, re-sent for retransmitted requests through Timer J (a provisional's are `live.wire`). */
  private finalKept: string | null = null

  constructor(ctx: TransactionContext, key: string, request: SipRequest, transport: Transport, target: RemoteAddr, source: RemoteAddr, user: ServerMachineUser<NonInviteServerTransaction> | null) {
    super(ctx, key, request, transport, target, 'trying')
    this.source = source
    this.user = user
  }

  /** One transition: table check, old timers cleared, Timer J armed for completed, layer told on terminated. */
  private enter(next: NistState): void {
    this.transition(next)
    this.clearTimers()
    // RFC 3261 §17.2.2: Timer J = 64*T1 (unreliable) / 0 (reliable) absorbs request retransmissions.
    if (next === 'completed') {
      // For Timer J (32 s) only the final's bytes are needed: the layer's record keeps them (unreliable transports).
      const l = this.live!
      const j = l.t.J
      if (!this.ctx.handOff(this, j)) {
        if (l.wire !== null) this.finalKept = keepBytes(l.wire)
        this.ctx.wait(j, this)
      }
      this.releaseRequest()
    }
    else if (next === 'terminated') {
      this.finalKept = null
      this.ctx.terminated(this)
    }
  }

  /** Sends a response from the TU (RFC 3261 §17.2.2); returns false once terminated, throws after a final. */
  respond(res: SipResponse): boolean {
    switch (this.state) {
      case 'trying':
      case 'proceeding': {
        const wire = serializeMessage(res)
        // A final is kept through Timer J (64*T1 on UDP; on TCP until the next tick, RFC 3261 §17.2.2 still re-sends it
        // then): by the layer's record off the heap, or as a string, not a slice of the pool (see `enter`).
        const l = this.live
        if (l !== null) l.wire = wire
        else if (res.status >= 200) this.finalKept = keepBytes(wire)
        this.send(wire)
        this.ctx.sent(res)
        // RFC 3261 §17.2.2: 1xx -> proceeding; 200-699 -> completed.
        if (res.status >= 200) this.enter('completed')
        else if (this.state === 'trying') this.enter('proceeding')
        return true
      }
      case 'completed':
        throw new TransactionStateError(`nist: ${res.status} after a final response`)
      case 'terminated':
        return false
    }
  }

  /** A retransmission of the request (matched by the layer). */
  onRetransmission(): void {
    switch (this.state) {
      case 'trying':
        // RFC 3261 §17.2.2: retransmissions in trying are discarded.
        return
      case 'proceeding':
      case 'completed':
        // RFC 3261 §17.2.2: re-send the most recent provisional / the final.
        if (this.finalKept !== null) this.send(keptBytes(this.finalKept))
        else if (this.live?.wire != null) this.send(this.live.wire)
        else return
        this.ctx.retransmitted(this.kind)
        return
      case 'terminated':
        return
    }
  }

  /** The final's bytes as sent, while entering completed (the layer's record may keep them). */
  get finalWire(): Buffer | null {
    return this.state === 'completed' ? (this.live?.wire ?? null) : null
  }

  /** Timer J ran out (the wait state's one timer). */
  waitOver(): void {
    this.onTimerJ()
  }

  /** Timer J: stop answering retransmissions. RFC 3261 §17.2.2. */
  onTimerJ(): void {
    if (this.state === 'completed') this.enter('terminated')
  }

  /** RFC 3261 §17.2.4: a response could not be sent -> terminated, TU told (503). */
  onSendError(failure: TransportFailure): void {
    if (this.state === 'terminated') return this.unexpected(`send error ${failure.code}`)
    this.enter('terminated')
    this.user?.onServerFailure(transportFailure(failure), this)
  }
}
