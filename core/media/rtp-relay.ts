// One call's RTP/RTCP relay: two sides (a = caller, b = callee), each an RTP/RTCP socket pair from the port pool, symmetric latching, per-direction counters, last-packet times, and prompt injection towards the caller (RFC 3550 §5.1, §8).
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import type { Clock, TimerHandle } from '../lib/clock.js'
import type { PortPool } from './port-pool.js'
import { isRtp, rewriteRtp, RTP_HEADER_BYTES, rtpSequence, rtpSsrc, rtpTimestamp, writeRtpHeader } from './rtp.js'

/** `a` faces the caller, `b` faces the callee. */
export type MediaSide = 'a' | 'b'

/** Where one side's peer said (in SDP) it receives RTP and RTCP; address 0.0.0.0 or port 0 means "send nothing" (RFC 3264 §8.4, §6). */
export interface MediaPeer {
  address: string
  port: number
  /** a=rtcp port, else port + 1 (RFC 3605 §2.1, RFC 3550 §11). */
  rtcpPort?: number
}

/** Counters of one direction: packets and bytes received from the sending side, and how many were not forwarded. */
export interface DirectionStats {
  packets: number
  bytes: number
  /** No send target yet, or replaced by the prompt. */
  dropped: number
}

/** What the relay carried. */
export interface RelayStats {
  aToB: DirectionStats
  bToA: DirectionStats
  rtcpPackets: number
  promptPackets: number
}

/** How a relay is built: the pool, the local address to bind, the clock, and where socket errors go. */
export interface RelayOptions {
  pool: PortPool
  /** Address the sockets bind (SIP_HOST). */
  host: string
  clock: Clock
  onError?: (err: Error) => void
}

/** One side: its socket pair, where we send to its peer, and what arrived from that peer. */
class Side {
  readonly port: number
  readonly rtp: Socket
  readonly rtcp: Socket
  rtpAddr = ''
  rtpPort = 0
  rtcpAddr = ''
  rtcpPort = 0
  rtpLatched = false
  rtcpLatched = false
  readonly stats: DirectionStats = { packets: 0, bytes: 0, dropped: 0 }
  /** Clock time of the last RTP packet from this side's peer; -1 when none yet. */
  lastRtpAtMs = -1

  constructor(port: number, family: 'udp4' | 'udp6') {
    this.port = port
    this.rtp = createSocket({ type: family, reuseAddr: false })
    this.rtcp = createSocket({ type: family, reuseAddr: false })
  }
}

/** Sequence/timestamp continuity of what the caller receives (RFC 3550 §5.1: one SSRC, continuous seq, ts in sampling time). */
class TowardsCaller {
  ssrc = 0
  seq = 0
  ts = 0
  atMs = -1
  /** Added to the callee's seq/ts for packets of `mappedSsrc` (after a prompt). */
  seqOffset = 0
  tsOffset = 0
  mappedSsrc = -1
  /** The next callee packet re-anchors the offsets after a prompt. */
  resync = false
}

/** The per-call relay; `close()` closes the four sockets and frees both pairs exactly once. */
export class RtpRelay {
  readonly a: Side
  readonly b: Side
  private readonly pool: PortPool
  private readonly clock: Clock
  private readonly onError: (err: Error) => void
  private readonly out = new TowardsCaller()
  private promptPackets = 0
  private rtcpPackets = 0
  private prompt: readonly Buffer[] | null = null
  private promptIndex = 0
  private promptPt = 0
  private promptStartMs = 0
  private promptTimer: TimerHandle | null = null
  private promptDone: (() => void) | null = null
  private closed = false

  /** Takes two pairs from the pool and binds them; null when the pool cannot give two (exhaustion is a value). */
  static open(opts: RelayOptions): RtpRelay | null {
    const pa = opts.pool.allocate()
    if (pa === null) return null
    const pb = opts.pool.allocate()
    if (pb === null) {
      opts.pool.release(pa)
      return null
    }
    return new RtpRelay(opts, pa, pb)
  }

  /** Resolves once all four sockets are bound (packets before that are refused by the kernel, never misrouted). */
  readonly ready: Promise<void>

  private constructor(opts: RelayOptions, portA: number, portB: number) {
    this.pool = opts.pool
    this.clock = opts.clock
    this.onError = opts.onError ?? (() => {})
    const family = opts.host.includes(':') ? 'udp6' : 'udp4'
    this.a = new Side(portA, family)
    this.b = new Side(portB, family)
    const binds: Promise<void>[] = []
    for (const [side, other] of [[this.a, this.b], [this.b, this.a]] as const) {
      const fromA = side === this.a
      side.rtp.on('message', fromA ? (m, r) => this.onRtpFromA(m, r) : (m, r) => this.onRtpFromB(m, r))
      side.rtcp.on('message', (m, r) => this.onRtcp(side, other, m, r))
      for (const [sock, port] of [[side.rtp, side.port], [side.rtcp, side.port + 1]] as const) {
        sock.on('error', (err) => this.onError(err))
        binds.push(new Promise<void>((ok) => {
          sock.once('error', () => ok())
          sock.bind(port, opts.host, () => ok())
        }))
      }
    }
    this.ready = Promise.all(binds).then(() => undefined)
  }

  /** Local RTP port of a side (RTCP = +1); this is what our SDP towards that side's peer carries. */
  localPort(side: MediaSide): number {
    return side === 'a' ? this.a.port : this.b.port
  }

  /** Sets where a side's peer receives (its SDP); forgets any latched address so the next packet from that peer latches again. */
  setPeer(side: MediaSide, peer: MediaPeer | null): void {
    const s = side === 'a' ? this.a : this.b
    const hold = peer === null || peer.port === 0 || peer.address === '0.0.0.0' || peer.address === '::'
    s.rtpAddr = hold ? '' : peer.address
    s.rtpPort = hold ? 0 : peer.port
    s.rtcpAddr = s.rtpAddr
    s.rtcpPort = hold ? 0 : (peer.rtcpPort ?? peer.port + 1)
    s.rtpLatched = false
    s.rtcpLatched = false
  }

  /** Where RTP for a side's peer goes now (after latching: the peer's source address). */
  target(side: MediaSide): { address: string; port: number; latched: boolean } {
    const s = side === 'a' ? this.a : this.b
    return { address: s.rtpAddr, port: s.rtpPort, latched: s.rtpLatched }
  }

  /** Whether RTP can be sent to a side's peer now (an address is known and the side is not on hold). */
  canSendTo(side: MediaSide): boolean {
    return (side === 'a' ? this.a : this.b).rtpPort !== 0
  }

  /** Clock time of the last RTP packet from a side's peer; -1 when none yet. */
  lastRtpAtMs(side: MediaSide): number {
    return side === 'a' ? this.a.lastRtpAtMs : this.b.lastRtpAtMs
  }

  /** Copies of the counters. */
  stats(): RelayStats {
    return { aToB: { ...this.a.stats }, bToA: { ...this.b.stats }, rtcpPackets: this.rtcpPackets, promptPackets: this.promptPackets }
  }

  /** Whether a prompt is being sent to the caller now. */
  get playing(): boolean {
    return this.prompt !== null
  }

  /**
   * Replaces the callee's audio towards the caller with `payloads` (20 ms each) in payload type `payloadType`:
   * same SSRC the caller has been receiving (a random one when none yet), sequence continuing, timestamp advanced by the
   * elapsed sampling time, marker on the first packet, one packet per 20 ms on the clock. False when closed, already
   * playing, or the caller has no address to send to (no SDP yet, or on hold).
   */
  injectTowardsCaller(payloads: readonly Buffer[], payloadType: number, onDone?: () => void): boolean {
    if (this.closed || this.prompt !== null || payloads.length === 0 || this.a.rtpPort === 0) return false
    const o = this.out
    const now = this.clock.now()
    if (o.atMs < 0) {
      o.ssrc = (Math.random() * 0x100000000) >>> 0
      o.seq = (Math.random() * 0x10000) & 0xffff
      o.ts = (Math.random() * 0x100000000) >>> 0
    } else {
      // RFC 3550 §5.1: the timestamp reflects the sampling instant; a silent gap advances it too (at least one frame).
      o.ts = (o.ts + Math.max(160, Math.round(((now - o.atMs) * 8) / 160) * 160)) >>> 0
      o.seq = (o.seq + 1) & 0xffff
    }
    this.prompt = payloads
    this.promptIndex = 0
    this.promptPt = payloadType
    this.promptStartMs = now
    this.promptDone = onDone ?? null
    this.sendPromptFrame()
    return true
  }

  /** Closes the sockets, stops a prompt and frees both port pairs; later calls do nothing. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.promptTimer?.cancel()
    this.promptTimer = null
    this.prompt = null
    for (const s of [this.a, this.b]) {
      for (const sock of [s.rtp, s.rtcp]) {
        try {
          sock.close()
        } catch {
          // Already closed after a bind error; nothing else holds it.
        }
      }
      this.pool.release(s.port)
    }
  }

  // ---- hot path: no allocation beyond the Buffer dgram hands us; headers are rewritten in place ------------------------

  private onRtpFromA(msg: Buffer, r: RemoteInfo): void {
    const a = this.a
    a.stats.packets++
    a.stats.bytes += msg.length
    a.lastRtpAtMs = this.clock.now()
    if (!a.rtpLatched) this.latch(a, r)
    const b = this.b
    if (b.rtpPort === 0) {
      a.stats.dropped++
      return
    }
    b.rtp.send(msg, b.rtpPort, b.rtpAddr)
  }

  private onRtpFromB(msg: Buffer, r: RemoteInfo): void {
    const b = this.b
    b.stats.packets++
    b.stats.bytes += msg.length
    const now = this.clock.now()
    b.lastRtpAtMs = now
    if (!b.rtpLatched) this.latch(b, r)
    const a = this.a
    if (this.prompt !== null || a.rtpPort === 0) {
      b.stats.dropped++
      return
    }
    if (isRtp(msg)) this.mapTowardsCaller(msg, now)
    a.rtp.send(msg, a.rtpPort, a.rtpAddr)
  }

  /** Keeps the caller's view continuous: after a prompt the callee's seq/ts are shifted to follow the prompt's. */
  private mapTowardsCaller(msg: Buffer, now: number): void {
    const o = this.out
    const ssrc = rtpSsrc(msg)
    if (o.resync) {
      o.resync = false
      if (ssrc === o.ssrc) {
        o.mappedSsrc = ssrc
        o.seqOffset = (o.seq + 1 - rtpSequence(msg)) & 0xffff
        const ts = o.ts + Math.max(160, Math.round(((now - o.atMs) * 8) / 160) * 160)
        o.tsOffset = (ts - rtpTimestamp(msg)) >>> 0
      } else o.mappedSsrc = -1
    }
    if (ssrc === o.mappedSsrc) {
      rewriteRtp(msg, rtpSequence(msg) + o.seqOffset, rtpTimestamp(msg) + o.tsOffset, ssrc)
    } else if (ssrc !== o.ssrc) o.mappedSsrc = -1
    o.ssrc = ssrc
    o.seq = rtpSequence(msg)
    o.ts = rtpTimestamp(msg)
    o.atMs = now
  }

  private onRtcp(from: Side, to: Side, msg: Buffer, r: RemoteInfo): void {
    this.rtcpPackets++
    if (!from.rtcpLatched) {
      from.rtcpAddr = r.address
      from.rtcpPort = r.port
      from.rtcpLatched = true
    }
    if (to.rtcpPort !== 0) to.rtcp.send(msg, to.rtcpPort, to.rtcpAddr)
  }

  /** Symmetric RTP: from now on this side's peer is sent to where its packets come from. */
  private latch(s: Side, r: RemoteInfo): void {
    s.rtpAddr = r.address
    s.rtpPort = r.port
    s.rtpLatched = true
  }

  private readonly promptTick = (): void => {
    this.promptTimer = null
    this.sendPromptFrame()
  }

  private sendPromptFrame(): void {
    const frames = this.prompt
    if (frames === null || this.closed) return
    const o = this.out
    const i = this.promptIndex
    const payload = frames[i]!
    // One buffer per prompt packet (50 per second, only while a prompt plays): dgram may still hold the previous one.
    const buf = Buffer.allocUnsafe(RTP_HEADER_BYTES + payload.length)
    if (i > 0) {
      o.seq = (o.seq + 1) & 0xffff
      o.ts = (o.ts + 160) >>> 0
    }
    writeRtpHeader(buf, { marker: i === 0, payloadType: this.promptPt, sequence: o.seq, timestamp: o.ts, ssrc: o.ssrc })
    payload.copy(buf, RTP_HEADER_BYTES)
    o.atMs = this.clock.now()
    const a = this.a
    if (a.rtpPort !== 0) {
      a.rtp.send(buf, a.rtpPort, a.rtpAddr)
      this.promptPackets++
    }
    this.promptIndex = i + 1
    if (this.promptIndex >= frames.length) {
      this.prompt = null
      o.resync = true
      const done = this.promptDone
      this.promptDone = null
      done?.()
      return
    }
    // Paced from the start so clock lateness does not accumulate.
    const due = this.promptStartMs + 20 * this.promptIndex
    this.promptTimer = this.clock.after(Math.max(0, due - this.clock.now()), this.promptTick)
  }
}
