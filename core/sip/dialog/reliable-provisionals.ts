// The UAS core's reliable provisional responses to one INVITE (RFC 3262 §3): Require: 100rel and RSeq, one in flight at a time, re-sent at T1 doubling until its PRACK, given up after 64*T1; PRACKs matched by RAck.
import { randomInt } from 'node:crypto'
import type { TimerHandle } from '../../lib/clock.js'
import { parseRAck } from '../message/headers/rack.js'
import type { SipRequest, SipResponse } from '../message/message.js'
import type { InviteServerTransaction } from '../transaction/invite-server.js'
import type { TransactionLayer } from '../transaction/layer.js'

/** Told when a reliable provisional was never PRACKed (§3: the UAS SHOULD then reject the INVITE with a 5xx). */
export interface ReliableProvisionalsUser {
  onPrackTimeout(): void
}

/** One reliable provisional as sent (with its RSeq) and whether it carried a session description. */
export interface ReliableProvisional {
  readonly rseq: number
  readonly response: SipResponse
  readonly hasSdp: boolean
}

/** What a PRACK matched: the provisional it acknowledged, or nothing (§3: answer 481). */
export type PrackMatch = { ok: true; acked: ReliableProvisional } | { ok: false }

/** RFC 3262 §3: the first RSeq is chosen between 1 and 2**31-1; we keep it below 2**30 so it never wraps. */
const FIRST_RSEQ_MAX = 2 ** 30

/**
 * Reliable provisionals of one INVITE server transaction. Deviation: RFC 3262 §3 does not exempt reliable transports
 * from the retransmissions; like the 2xx (RFC 3261 §13.3.1.4) we re-send only on unreliable ones and give up after
 * 64*T1 on every transport.
 */
export class ReliableProvisionals {
  private readonly layer: TransactionLayer
  private readonly ist: InviteServerTransaction
  private readonly user: ReliableProvisionalsUser
  private nextRseq: number
  /** The one provisional in flight (sent, not yet PRACKed). */
  private inFlight: ReliableProvisional | null = null
  /** §3: a further reliable provisional waits until the one in flight is acknowledged. */
  private readonly queue: ReliableProvisional[] = []
  /** Runs once nothing with SDP is left unacknowledged (the 2xx waits for it, §3). */
  private onClear: (() => void) | null = null
  private interval = 0
  private retransmitTimer: TimerHandle | null = null
  private giveUpTimer: TimerHandle | null = null
  private stopped = false
  private readonly fireRetransmit = (): void => this.onRetransmit()

  constructor(layer: TransactionLayer, ist: InviteServerTransaction, user: ReliableProvisionalsUser, firstRseq = randomInt(1, FIRST_RSEQ_MAX)) {
    this.layer = layer
    this.ist = ist
    this.user = user
    this.nextRseq = firstRseq
  }

  /** RSeq of the provisional in flight (tests). */
  get pendingRseq(): number | null {
    return this.inFlight?.rseq ?? null
  }

  /**
   * §3: a 2xx may not go out while a reliable provisional with a session description is unacknowledged; true while
   * one is (in flight or queued).
   */
  get blocksAnswer(): boolean {
    return (this.inFlight?.hasSdp ?? false) || this.queue.some((p) => p.hasSdp)
  }

  /** Adds Require: 100rel and the next RSeq to `res` (a 101-199) and sends it now, or once the one in flight is PRACKed. */
  send(res: SipResponse): ReliableProvisional {
    res.headers.append('require', '100rel')
    res.headers.append('rseq', String(this.nextRseq))
    const p: ReliableProvisional = { rseq: this.nextRseq++, response: res, hasSdp: res.body.length > 0 }
    if (this.stopped) return p
    if (this.inFlight === null) this.transmit(p)
    else this.queue.push(p)
    return p
  }

  /** Runs `fn` now when no provisional with SDP is unacknowledged, else once the last such one is PRACKed. */
  whenClear(fn: () => void): void {
    if (!this.blocksAnswer) return fn()
    this.onClear = fn
  }

  /** §3: a PRACK whose RAck names the provisional in flight (RSeq, the INVITE's CSeq number and method) acknowledges it. */
  onPrack(prack: SipRequest): PrackMatch {
    const rack = parseRAck(prack.headers.first('rack'))
    const p = this.inFlight
    const seq = this.ist.request.cseq?.seq
    if (rack === undefined || p === null || rack.rseq !== p.rseq || rack.cseq !== seq || rack.method !== 'INVITE') return { ok: false }
    this.clearTimers()
    this.inFlight = null
    return { ok: true, acked: p }
  }

  /** After the PRACK's 200 went out: the next queued provisional is sent, and a 2xx that waited for this PRACK goes. */
  advance(): void {
    if (this.stopped || this.inFlight !== null) return
    const next = this.queue.shift()
    if (next !== undefined) this.transmit(next)
    if (!this.blocksAnswer && this.onClear !== null) {
      const fn = this.onClear
      this.onClear = null
      fn()
    }
  }

  /** A final response went out (or the call ended): no more retransmissions, nothing queued is sent, nothing waits. */
  stop(): void {
    this.stopped = true
    this.onClear = null
    this.inFlight = null
    this.queue.length = 0
    this.clearTimers()
  }

  private transmit(p: ReliableProvisional): void {
    if (this.ist.state !== 'proceeding') return
    this.inFlight = p
    this.ist.respond(p.response)
    const t = this.ist.transport.reliable ? this.layer.reliableTimers : this.layer.udpTimers
    this.interval = t.T1
    const c = this.layer.clock
    if (!this.ist.transport.reliable) this.retransmitTimer = c.after(this.interval, this.fireRetransmit)
    this.giveUpTimer = c.after(64 * t.T1, () => this.onGiveUp())
  }

  /** §3: the interval starts at T1 and doubles for each retransmission (no T2 cap, unlike the 2xx). */
  private onRetransmit(): void {
    this.retransmitTimer = null
    const p = this.inFlight
    if (p === null || this.stopped || this.ist.state !== 'proceeding') return
    this.ist.respond(p.response)
    this.layer.retransmitted('ist')
    this.interval *= 2
    this.retransmitTimer = this.layer.clock.after(this.interval, this.fireRetransmit)
  }

  private onGiveUp(): void {
    this.giveUpTimer = null
    if (this.stopped || this.inFlight === null) return
    this.stop()
    this.user.onPrackTimeout()
  }

  private clearTimers(): void {
    this.retransmitTimer?.cancel()
    this.retransmitTimer = null
    this.giveUpTimer?.cancel()
    this.giveUpTimer = null
  }
}
