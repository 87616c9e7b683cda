// In-memory datagram network (pjsip's loop transport): a real Transport for stack tests, with delivery on the injected clock and loss injection.
import type { Clock, TimerHandle } from '../lib/clock.js'
import {
  isKeepAlive,
  TransportError,
  type RemoteAddr,
  type SendListener,
  type Transport,
  type TransportUser,
} from './types.js'

/** Options for a LoopNetwork. */
export interface LoopNetworkOptions {
  /** Deliver through this clock after `latencyMs` (deterministic with ManualClock); without it, on a microtask. */
  clock?: Clock
  /** One-way delay in ms when `clock` is set (default 0: delivered on the next `clock.flush()`/`advance`). */
  latencyMs?: number
  /** Probability 0..1 of silently losing a datagram; draws from `random` (default Math.random). */
  lossRate?: number
  random?: () => number
  /** Keep every datagram in `packets` (default true; turn off for long benchmarks). */
  logPackets?: boolean
}

/** What the network saw for one datagram (tests read the wire through this). */
export interface LoopPacket {
  readonly buf: Buffer
  readonly from: RemoteAddr
  readonly to: RemoteAddr
  /** 'delivered', 'lost' (loss injection or drop rule), 'unroutable' (nobody bound there), 'failed' (send failure injected). */
  outcome: 'queued' | 'delivered' | 'lost' | 'unroutable' | 'failed'
}

type Pending =
  | { kind: 'packet'; dueAt: number; packet: LoopPacket; target: LoopTransport }
  | { kind: 'failure'; dueAt: number; listener: SendListener; code: string; remote: RemoteAddr }

function key(a: { address: string; port: number }): string {
  return `${a.address}|${a.port}`
}

/** A set of loop endpoints that can reach each other by address; owns the in-flight queue. */
export class LoopNetwork {
  /** Every datagram sent, in order (cleared by `clearLog()`). */
  readonly packets: LoopPacket[] = []
  /** Exceptions thrown by a TransportUser while handling a delivery (the receive guard caught them). */
  readonly userErrors: unknown[] = []
  private readonly endpoints = new Map<string, LoopTransport>()
  private readonly queue: Pending[] = []
  private head = 0
  private scheduled: TimerHandle | null = null
  private microtaskQueued = false
  private nextPort = 40000
  private readonly clock: Clock | undefined
  private readonly latencyMs: number
  private lossRate: number
  private readonly random: () => number
  private readonly logPackets: boolean
  private dropRule: ((p: LoopPacket) => boolean) | null = null
  private failRule: ((to: RemoteAddr, from: RemoteAddr) => string | undefined) | null = null
  private readonly flushNow = (): void => this.flush()

  constructor(opts: LoopNetworkOptions = {}) {
    this.clock = opts.clock
    this.latencyMs = opts.latencyMs ?? 0
    this.lossRate = opts.lossRate ?? 0
    this.random = opts.random ?? Math.random
    this.logPackets = opts.logPackets ?? true
  }

  /** Binds an endpoint at `address:port` (port 0 or omitted picks a free one). */
  open(user: TransportUser, address = '127.0.0.1', port = 0): LoopTransport {
    const p = port === 0 ? this.freePort(address) : port
    const local: RemoteAddr = { address, port: p, family: address.includes(':') ? 'IPv6' : 'IPv4' }
    const k = key(local)
    if (this.endpoints.has(k)) throw new TransportError(`loop address ${address}:${p} already bound`)
    const t = new LoopTransport(this, local, user)
    this.endpoints.set(k, t)
    return t
  }

  /** Sets the loss probability for later sends. */
  setLossRate(rate: number): void {
    this.lossRate = rate
  }

  /** Loses every datagram for which `rule` returns true (null clears). */
  drop(rule: ((p: LoopPacket) => boolean) | null): void {
    this.dropRule = rule
  }

  /** Makes sends fail with the returned errno-style code (null clears); reported asynchronously like UDP. */
  failSends(rule: ((to: RemoteAddr, from: RemoteAddr) => string | undefined) | null): void {
    this.failRule = rule
  }

  /** Datagrams still in flight. */
  get inFlight(): number {
    return this.queue.length - this.head
  }

  /** Forgets the packet log. */
  clearLog(): void {
    this.packets.length = 0
  }

  /** @internal called by LoopTransport.send */
  transmit(from: LoopTransport, buf: Buffer, to: RemoteAddr, listener: SendListener | undefined): void {
    const packet: LoopPacket = { buf: Buffer.from(buf), from: from.local, to, outcome: 'queued' }
    if (this.logPackets) this.packets.push(packet)
    const dueAt = (this.clock?.now() ?? 0) + this.latencyMs
    const code = this.failRule?.(to, from.local)
    if (code !== undefined) {
      packet.outcome = 'failed'
      if (listener !== undefined) this.enqueue({ kind: 'failure', dueAt: this.clock?.now() ?? 0, listener, code, remote: to })
      return
    }
    if ((this.lossRate > 0 && this.random() < this.lossRate) || this.dropRule?.(packet) === true) {
      packet.outcome = 'lost'
      return
    }
    const target = this.endpoints.get(key(to))
    if (target === undefined || target.closed) {
      packet.outcome = 'unroutable'
      return
    }
    this.enqueue({ kind: 'packet', dueAt, packet, target })
  }

  /** @internal */
  failClosed(listener: SendListener, remote: RemoteAddr): void {
    this.enqueue({ kind: 'failure', dueAt: this.clock?.now() ?? 0, listener, code: 'ECLOSED', remote })
  }

  /** @internal */
  unbind(t: LoopTransport): void {
    if (this.endpoints.get(key(t.local)) === t) this.endpoints.delete(key(t.local))
  }

  private freePort(address: string): number {
    while (this.endpoints.has(key({ address, port: this.nextPort }))) this.nextPort++
    return this.nextPort++
  }

  private enqueue(p: Pending): void {
    this.queue.push(p)
    this.schedule()
  }

  private schedule(): void {
    if (this.head >= this.queue.length) return
    if (this.clock === undefined) {
      if (!this.microtaskQueued) {
        this.microtaskQueued = true
        queueMicrotask(this.flushNow)
      }
      return
    }
    if (this.scheduled !== null) return
    const first = this.queue[this.head]
    if (first === undefined) return
    this.scheduled = this.clock.after(Math.max(0, first.dueAt - this.clock.now()), this.flushNow)
  }

  private flush(): void {
    this.scheduled = null
    this.microtaskQueued = false
    const now = this.clock?.now() ?? Infinity
    // Deliver in send order; an item queued by a delivery lands behind and waits for the next flush.
    const end = this.queue.length
    while (this.head < end) {
      const p = this.queue[this.head]!
      if (p.dueAt > now) break
      this.head++
      this.deliver(p)
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0
      this.head = 0
    }
    this.schedule()
  }

  private deliver(p: Pending): void {
    try {
      if (p.kind === 'failure') {
        p.listener.onSendError({ code: p.code, message: `loop send failed: ${p.code}`, remote: p.remote })
        return
      }
      if (p.target.closed) {
        p.packet.outcome = 'unroutable'
        return
      }
      p.packet.outcome = 'delivered'
      if (isKeepAlive(p.packet.buf)) return
      p.target.user.onMessage(p.packet.buf, p.packet.from, p.target)
    } catch (err) {
      this.userErrors.push(err)
    }
  }
}

/** One endpoint on a LoopNetwork; behaves as an unreliable datagram transport ('UDP' in Via). */
export class LoopTransport implements Transport {
  readonly protocol = 'UDP' as const
  readonly reliable = false
  readonly local: RemoteAddr
  /** @internal */
  readonly user: TransportUser
  /** @internal */
  closed = false
  private readonly net: LoopNetwork

  constructor(net: LoopNetwork, local: RemoteAddr, user: TransportUser) {
    this.net = net
    this.local = local
    this.user = user
  }

  send(buf: Buffer, remote: RemoteAddr, listener?: SendListener): void {
    if (this.closed) {
      if (listener !== undefined) this.net.failClosed(listener, remote)
      return
    }
    this.net.transmit(this, buf, remote, listener)
  }

  close(): Promise<void> {
    this.closed = true
    this.net.unbind(this)
    return Promise.resolve()
  }
}
