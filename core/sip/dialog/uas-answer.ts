// The UAS core's 2xx to an INVITE (RFC 3261 §13.3.1.4, RFC 6026 §8.6): sent through the IST, re-sent at T1 doubling up to T2 until the ACK, given up after 64*T1.
import type { TimerHandle } from '../../lib/clock.js'
import type { SipResponse } from '../message/message.js'
import type { InviteServerTransaction } from '../transaction/invite-server.js'
import type { TransactionLayer } from '../transaction/layer.js'

/** Told when a 2xx was never acknowledged (§13.3.1.4: the UAS SHOULD then end the dialog with BYE). */
export interface UasAnswerUser {
  onAnswerTimeout(answer: UasAnswer): void
}

/** One 2xx in flight; `acked()` stops it. At most two timers per answer (retransmit + give-up). */
export class UasAnswer {
  readonly response: SipResponse
  /** CSeq number of the INVITE answered (the ACK carries it, §13.2.2.4). */
  readonly seq: number
  /** Retransmissions sent so far (tests and metrics). */
  retransmissions = 0
  private readonly layer: TransactionLayer
  private readonly ist: InviteServerTransaction
  private readonly user: UasAnswerUser
  private interval: number
  private readonly t2: number
  private retransmitTimer: TimerHandle | null = null
  private giveUpTimer: TimerHandle | null
  // Created at first use, not per instance: tsx (esbuild keepNames) names every class-field arrow with a defineProperty call.
  private fireRetransmit: (() => void) | null = null
  private done = false

  /** Sends `res` (a 2xx) through `ist` now and arms the §13.3.1.4 schedule from the layer's T1/T2. */
  constructor(layer: TransactionLayer, ist: InviteServerTransaction, res: SipResponse, user: UasAnswerUser) {
    this.layer = layer
    this.ist = ist
    this.response = res
    this.user = user
    this.seq = ist.request.cseq?.seq ?? 0
    const t = ist.transport.reliable ? layer.reliableTimers : layer.udpTimers
    this.interval = t.T1
    this.t2 = t.T2
    ist.respond(res)
    const c = layer.clock
    // RFC 3261 §13.3.1.4: retransmit on unreliable transports only; give up after 64*T1 on every transport.
    if (!ist.transport.reliable) this.retransmitTimer = c.after(this.interval, (this.fireRetransmit ??= () => this.onRetransmit()))
    this.giveUpTimer = c.after(64 * t.T1, () => this.onGiveUp())
  }

  /** True while the answer still waits for its ACK. */
  get pending(): boolean {
    return !this.done
  }

  /** The ACK arrived (RFC 3261 §13.3.1.4: retransmissions cease); returns false when it was not pending. */
  acked(): boolean {
    if (this.done) return false
    this.stop()
    return true
  }

  /** Stops every timer without telling the user (the call ended another way). */
  stop(): void {
    this.done = true
    this.retransmitTimer?.cancel()
    this.retransmitTimer = null
    this.giveUpTimer?.cancel()
    this.giveUpTimer = null
  }

  private onRetransmit(): void {
    this.retransmitTimer = null
    if (this.done) return
    // RFC 6026 §8.6: in accepted the IST passes the TU's retransmission to the transport; once it ended, send statelessly.
    if (!this.ist.respond(this.response)) this.layer.sendStateless(this.response, this.ist.transport, this.ist.remote)
    this.retransmissions++
    this.layer.retransmitted('ist')
    this.interval = Math.min(2 * this.interval, this.t2)
    this.retransmitTimer = this.layer.clock.after(this.interval, (this.fireRetransmit ??= () => this.onRetransmit()))
  }

  private onGiveUp(): void {
    this.giveUpTimer = null
    if (this.done) return
    this.stop()
    this.user.onAnswerTimeout(this)
  }
}
