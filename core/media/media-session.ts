// A relayed call's media as the call layer sees it: the relay, the caller's negotiated G.711 law, the warning prompt, and the no-media watch on the injected clock.
import type { Clock, TimerHandle } from '../lib/clock.js'
import type { G711Law } from './g711.js'
import type { PortPool } from './port-pool.js'
import type { Prompt } from './prompt.js'
import { RtpRelay, type MediaSide, type RelayStats } from './rtp-relay.js'

/** Which silence ends the call: one side silent that long (`either`), or both sides (`both`) (SS_NOMEDIAHANGUP_SIDE). */
export type NoMediaMode = 'either' | 'both'

/** What every relayed call of a node shares (built once by the composition root). */
export interface MediaEnvironment {
  pool: PortPool
  /** Address the relay sockets bind (SIP_HOST). */
  bindHost: string
  /** Address written into our SDP c=/o= (SIP_ADVERTISED_HOST). */
  advertisedHost: string
  clock: Clock
  /** The warning prompt, loaded once; null disables it. */
  prompt: Prompt | null
  onError?: (err: Error) => void
}

/** The codec the caller receives (RTP payload type and G.711 law, or null for any other codec). */
export interface CallerCodec {
  payloadType: number
  law: G711Law | null
}

/** One call's media; `close()` releases everything exactly once. */
export class MediaSession {
  readonly relay: RtpRelay
  /** Set by the SDP anchor from the latest answer; null until one was seen. */
  callerCodec: CallerCodec | null = null
  /** Whether the warning prompt was started (for the CDR). */
  warningPlayed = false
  private readonly env: MediaEnvironment
  private watch: TimerHandle | null = null
  private watchLimitMs = 0
  private watchMode: NoMediaMode = 'both'
  private watchSinceMs = 0
  private onInactive: (() => void) | null = null
  private closed = false

  private constructor(env: MediaEnvironment, relay: RtpRelay) {
    this.env = env
    this.relay = relay
  }

  /** Opens a relay for one call; null when the port range is exhausted. */
  static open(env: MediaEnvironment): MediaSession | null {
    const relay = RtpRelay.open({ pool: env.pool, host: env.bindHost, clock: env.clock, ...(env.onError === undefined ? {} : { onError: env.onError }) })
    return relay === null ? null : new MediaSession(env, relay)
  }

  /** Local RTP port written into SDP towards `side`'s peer. */
  localPort(side: MediaSide): number {
    return this.relay.localPort(side)
  }

  /** Plays the warning prompt to the caller in its law (RFC 3550 §5.1 continuity); false when no prompt, not G.711, or already playing. */
  playPrompt(): boolean {
    const prompt = this.env.prompt
    const codec = this.callerCodec
    if (this.closed || prompt === null || codec === null || codec.law === null) return false
    const ok = this.relay.injectTowardsCaller(prompt.payloads[codec.law], codec.payloadType)
    if (ok) this.warningPlayed = true
    return ok
  }

  /** Starts the no-media watch from now (the answer): `onInactive` fires once when the silence rule holds for `limitSec`. */
  watchInactivity(limitSec: number, mode: NoMediaMode, onInactive: () => void): void {
    if (this.closed || limitSec <= 0 || this.watch !== null) return
    this.watchLimitMs = limitSec * 1000
    this.watchMode = mode
    this.watchSinceMs = this.env.clock.now()
    this.onInactive = onInactive
    this.armWatch(this.watchSinceMs + this.watchLimitMs)
  }

  /** When the watch would fire with no more packets: the oldest (either) or newest (both) last arrival plus the limit. */
  inactivityDeadlineMs(): number {
    const la = Math.max(this.relay.lastRtpAtMs('a'), this.watchSinceMs)
    const lb = Math.max(this.relay.lastRtpAtMs('b'), this.watchSinceMs)
    return (this.watchMode === 'either' ? Math.min(la, lb) : Math.max(la, lb)) + this.watchLimitMs
  }

  /** Counters of the relay. */
  stats(): RelayStats {
    return this.relay.stats()
  }

  /** Stops the watch and the prompt, closes the sockets and frees the ports; later calls do nothing. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.watch?.cancel()
    this.watch = null
    this.onInactive = null
    this.relay.close()
  }

  private armWatch(atMs: number): void {
    this.watch = this.env.clock.after(Math.max(0, atMs - this.env.clock.now()), this.checkWatch)
  }

  /** One timer per call, re-armed to the next possible deadline, so precision does not depend on a sweep period. */
  private readonly checkWatch = (): void => {
    this.watch = null
    if (this.closed) return
    const deadline = this.inactivityDeadlineMs()
    if (deadline > this.env.clock.now()) return this.armWatch(deadline)
    const fire = this.onInactive
    this.onInactive = null
    fire?.()
  }
}
