// The part every RFC 3261 §17 machine shares: identity, addressing, the transition-table check, two timer slots and guarded sends.
import type { Clock, TimerHandle } from '../../lib/clock.js'
import type { Logger } from '../../lib/log.js'
import type { RemoteAddr, SendListener, Transport, TransportFailure } from '../../transport/types.js'
import type { SipMessage, SipRequest, SipResponse } from '../message/message.js'
import { TransactionStateError, type TransactionFailure } from './failures.js'
import type { RfcTimers } from './timers.js'
import type { Waiter } from './wait-queue.js'

/** What a client machine reports to its user; `T` is the machine (types.ts: TransactionUser for either kind). */
export interface ClientMachineUser<T> {
  /** Every response the machine passes up: 1xx, the final, and RFC 6026 §8.4 2xx retransmissions for INVITE. */
  onResponse(res: SipResponse, tx: T): void
  /** Timer B/F: no final response; treat as 408. */
  onTimeout(failure: TransactionFailure, tx: T): void
  /** The request (or the ACK) could not be sent; treat as 503. */
  onTransportError(failure: TransactionFailure, tx: T): void
}

/** What a server machine reports to its user; `T` is the machine (types.ts: ServerTransactionUser). */
export interface ServerMachineUser<T> {
  /** A server transaction failed: Timer H (no ACK, 408) or a transport error sending a response (503). */
  onServerFailure(failure: TransactionFailure, tx: T): void
}

/**
 * What an answered INVITE's user is during Timer M once the TU hands it over (RFC 6026 §8.4): it stands in the layer's
 * table itself, in place of the transaction, and is told every response matched to it.
 */
export interface AcceptedInviteUser {
  readonly kind: 'ict'
  readonly state: 'accepted'
  /** NaN: no final is awaited. */
  readonly startedAtMs: number
  /** A response matched to the transaction: a 2xx is a retransmission of the dialog's or another fork's (RFC 3261 §13.2.2.4). */
  onResponse(res: SipResponse): void
  /** Told once it stands in the layer's table: what it re-sends may go in the layer's `waitBytes` for `longestTimerM`. */
  waitBegins?(): void
  /** Timer M ran out: what it keeps in the layer's `WaitBytes` must come back to it if it is still used. */
  waitOver?(): void
}

/** What a machine needs from the layer that owns it. */
export interface TransactionContext {
  readonly clock: Clock
  readonly log: Logger
  /** Timers for unreliable and reliable transports. */
  readonly udpTimers: RfcTimers
  readonly reliableTimers: RfcTimers
  /** Called once when a machine enters terminated; the layer forgets it. */
  terminated(tx: Transaction<string>): void
  /** Tells `tx` once `ms` from now: the one timer of a wait state (Timers D, I, J, K, L, M), shared per duration. */
  wait(ms: number, tx: Waiter): void
  /**
   * A machine entering a wait state of `ms` offers it to the layer, which may put a compact record in its place in its
   * tables (wait-records.ts) and end the wait itself: true when it did (the machine then waits for nothing and its
   * state stays where it is), false when the machine must wait itself.
   */
  handOff(tx: Transaction<string>, ms: number): boolean
  /** An accepted INVITE client transaction's 2xx go to `user` from now on (see InviteClientTransaction.handOver). */
  handOver(tx: Transaction<string>, user: AcceptedInviteUser): void
  /** Counts one message sent for the first time (metrics). */
  sent(msg: SipMessage): void
  /** Counts one retransmission sent by a machine. */
  retransmitted(kind: 'ict' | 'nict' | 'ist' | 'nist'): void
}

/**
 * `buf` in an ArrayBuffer of its own. Serialized messages are slices of Node's shared allocation pool; one kept for a
 * 32 s wait state (Timers D, J, M) pins its whole slab, and the heap at 800 calls/s held ~32 MB of such slabs.
 */
export function ownBytes(buf: Buffer): Buffer {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) return buf
  const out = Buffer.allocUnsafeSlow(buf.length)
  buf.copy(out)
  return out
}

/**
 * Wire bytes a machine keeps for re-sends, as a latin1 string (byte for byte): it pins no pool slab, and copying into
 * the JS heap costs less than an ArrayBuffer of its own per message (0.2 against 0.5-0.8 µs, and no external memory
 * for the GC to account). `keptBytes` turns it back into a Buffer for a retransmission.
 */
export function keepBytes(buf: Buffer): string {
  return buf.toString('latin1')
}

/** The Buffer of bytes kept with `keepBytes`. */
export function keptBytes(kept: string): Buffer {
  return Buffer.from(kept, 'latin1')
}

/** RFC 3261 §18.1.1: what a request moved from UDP to TCP for its size falls back to when the connection is refused. */
export interface SizeFallback {
  /** The UDP transport the request would have used. */
  readonly transport: Transport
  /** Rewrites the request's top Via for `transport` and returns its new wire bytes. */
  rewire(): Buffer
  /** Told once when the fallback happens (the layer remembers the peer takes no TCP). */
  onFallback(): void
}

/** One string per known method: a parsed request's method is a copy of its own, kept per transaction otherwise. */
const METHODS: ReadonlyMap<string, string> = new Map(
  ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'UPDATE', 'INFO', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'PUBLISH'].map((m) => [m, m]),
)

/** Failures meaning "no stream connection could be made" (RFC 3261 §18.1.1: a TCP reset or ICMP refusal). */
const CONNECT_FAILURES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNLIMIT'])

/**
 * What a machine needs only while it may still send on its own or hand its request up: dropped when it enters a wait
 * state (accepted, completed or confirmed with only retransmissions left to absorb), so each of the ~250,000 waiting
 * transactions at 2,500 calls/s is a small object with no request, timer slots, retransmit callback or pool bytes.
 */
export class Live {
  /** The request that created the transaction. */
  readonly req: SipRequest
  /** When the transaction began (clock ms): the start of the latency the layer measures. */
  readonly startedAtMs: number
  /** The letter timers, fixed at creation (or at a fallback from TCP to UDP). */
  t: RfcTimers
  fallback: SizeFallback | null = null
  retransmitTimer: TimerHandle | null = null
  timeoutTimer: TimerHandle | null = null
  /** Current retransmit interval (A, E or G). */
  interval = 0
  /** Timer A, E or G's callback, made at first use. */
  fire: (() => void) | null = null
  /** Bytes re-sent as they are: the last provisional (servers) or the request while Timer A/E may re-send it (clients). */
  wire: Buffer | null = null
  /** A client request's bytes moved out of Node's pool at its first retransmission (see `keepBytes`). */
  kept: string | null = null

  constructor(req: SipRequest, startedAtMs: number, t: RfcTimers) {
    this.req = req
    this.startedAtMs = startedAtMs
    this.t = t
  }
}

/** Base of the four machines: state table check, retransmit + timeout slots, sends whose failures come back as values. */
export abstract class Transaction<S extends string> implements SendListener, Waiter {
  abstract get kind(): 'ict' | 'nict' | 'ist' | 'nist'
  /** Matching key in the layer's table. */
  readonly key: string
  /** The request's method (kept when the request itself is let go). */
  readonly method: string
  /** Fixed, except once for a client request falling back from TCP to UDP (RFC 3261 §18.1.1). */
  transport: Transport
  /** Where this transaction sends: the next hop (client) or the §18.2.2 response target (server). */
  readonly remote: RemoteAddr
  /** RFC 3261 §18.2.2 (server, stream transports): where responses go once the request's connection has closed. */
  reopenTarget: RemoteAddr | null = null
  /** Slot for the TU's own bookkeeping (its call or leg), never read by the layer. */
  userData: unknown = undefined
  state: S
  protected readonly ctx: TransactionContext
  /** The active machine's parts; null in a wait state (see `Live`). */
  protected live: Live | null
  /** The state table (one per machine kind, on its prototype). */
  protected abstract get next(): Readonly<Record<S, readonly S[]>>

  constructor(ctx: TransactionContext, key: string, request: SipRequest, transport: Transport, remote: RemoteAddr, initial: S) {
    this.ctx = ctx
    this.key = key
    this.method = METHODS.get(request.method) ?? request.method
    this.transport = transport
    this.remote = remote
    this.state = initial
    this.live = new Live(request, ctx.clock.now(), transport.reliable ? ctx.reliableTimers : ctx.udpTimers)
  }

  /**
   * The request that created the transaction. A wait state (accepted, completed or confirmed with only retransmissions
   * left to absorb) lets it go, so the 32 s of Timers J, L and M do not keep every call's parsed messages; reading it
   * then is a bug of the caller and throws.
   */
  get request(): SipRequest {
    if (this.live === null) throw new TransactionStateError(`${this.kind} ${this.key}: the request is no longer kept in ${this.state}`)
    return this.live.req
  }

  /** When the transaction began (clock ms); NaN once in a wait state. */
  get startedAtMs(): number {
    return this.live === null ? NaN : this.live.startedAtMs
  }

  /** The Call-ID for logs while the request is kept (not kept apart: a slice of the message would pin all of it). */
  get callId(): string | undefined {
    return this.live?.req.callId
  }

  /** Enters a wait state: its timers cleared and everything only an active machine needs let go (the request with it). */
  protected releaseRequest(): void {
    this.clearTimers()
    this.live = null
  }

  /** The machine's wait state is over (its one wait timer, see TransactionContext.wait). */
  abstract waitOver(): void

  /** Moves to `next` after checking the transition table; the caller re-arms timers for the new state. */
  protected transition(next: S): S {
    const prev = this.state
    if (!this.next[prev].includes(next)) {
      throw new TransactionStateError(`${this.kind} ${this.key}: illegal transition ${prev} -> ${next}`)
    }
    this.state = next
    return prev
  }

  /** Cancels both timer slots. */
  protected clearTimers(): void {
    const l = this.live
    if (l === null) return
    l.retransmitTimer?.cancel()
    l.retransmitTimer = null
    l.timeoutTimer?.cancel()
    l.timeoutTimer = null
  }

  /** Hands bytes to the transport; a failure comes back through onSendError. */
  protected send(buf: Buffer): void {
    const reopen = this.reopenTarget
    this.transport.send(buf, reopen !== null && this.transport.hasFlow?.(this.remote) === false ? reopen : this.remote, this)
  }

  /** Arms the RFC 3261 §18.1.1 fallback of a client request sent over TCP because of its size (before `start`). */
  setFallback(f: SizeFallback): void {
    if (this.live !== null) this.live.fallback = f
  }

  /**
   * After a refused connection: moves the request to its fallback transport (with its timers, all cleared) and returns
   * the rewritten wire bytes to start again with; null when there is no fallback or the failure is of another kind.
   */
  protected takeFallback(f: TransportFailure): Buffer | null {
    const l = this.live
    const fb = l === null ? null : l.fallback
    if (l === null || fb === null || !CONNECT_FAILURES.has(f.code)) return null
    l.fallback = null
    this.transport = fb.transport
    l.t = fb.transport.reliable ? this.ctx.reliableTimers : this.ctx.udpTimers
    this.clearTimers()
    fb.onFallback()
    return ownBytes(fb.rewire())
  }

  /** Logs a network event the current state does not expect; such events are dropped, never thrown. */
  protected unexpected(what: string): void {
    if (this.ctx.log.enabled('debug')) this.ctx.log.debug('transaction dropped unexpected event', { kind: this.kind, state: this.state, what, callId: this.callId })
  }

  /** Whether the machine has finished. */
  get terminated(): boolean {
    return this.state === ('terminated' as S)
  }

  abstract onSendError(failure: TransportFailure): void
}
