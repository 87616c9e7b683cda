// Rolling ASR, ACD and PDD per routing gateway and route prefix, from the attempts of finished calls: one definition and one windowed store, fed by the core live and by the edge from CDRs.
import type { SystemParams } from '../params/system-params.js'
import { GatewayIndexed, type GatewayIds } from './gateway-index.js'

/** What quality reads of one routing attempt (a CDR attempt fits). */
export interface QualityAttempt {
  readonly routingGatewayId: string
  /** The routing prefix the gateway matched; attempts without one (older CDRs) are not counted. */
  readonly matchedPrefix?: string | undefined
  readonly sipCode: number | null
  /** Attempt start to its first 18x or answer; null/absent when neither came. */
  readonly pddMs?: number | null | undefined
}

/** What quality reads of one finished call (a CDR fits). */
export interface QualityCdr {
  readonly endedAtMs: number
  readonly answeredAtMs: number | null
  readonly durationSec: number
  readonly attempts: readonly QualityAttempt[]
}

/** A (gateway, prefix)'s figures over its window; ratios are null without calls to divide by. */
export interface QualityFigures {
  readonly calls: number
  readonly answered: number
  /** Answered / calls, 0..1. */
  readonly asr: number | null
  /** Mean talk time of the answered calls, seconds. */
  readonly acdSec: number | null
  /** Mean post-dial delay of the calls that got a 18x or an answer, ms. */
  readonly pddMs: number | null
}

/** Live figures as routing reads them; a missing entry means no calls in the window. */
export interface QualitySource {
  figures(routingGatewayId: string, prefix: string, nowMs: number): QualityFigures | undefined
  /** The same by `table`'s gateway index (routing prefers it: no lookup by gateway id). */
  figuresAt?(table: GatewayIds, index: number, prefix: string, nowMs: number): QualityFigures | undefined
}

/** The system parameters that define the window and the judgement. */
export type QualityParams = Pick<
  SystemParams,
  | 'SS_ROUTE_QUALITY_WINDOW_CALLS' | 'SS_ROUTE_QUALITY_WINDOW_MINUTES' | 'SS_ROUTE_QUALITY_MIN_CALLS' | 'SS_ROUTE_ASR_MIN_PERCENT'
  | 'SS_ROUTE_PDD_MAX_MS'
>

/** Most (gateway, prefix) keys kept; beyond it the least recently fed 10% are dropped (memory stays bounded). */
export const MAX_QUALITY_KEYS = 20_000

const MINUTE_MS = 60_000

/** True for the attempt that answered (the call layer records the answered attempt with 200). */
const answeredAttempt = (a: QualityAttempt): boolean => a.sipCode !== null && a.sipCode >= 200 && a.sipCode < 300

/** The last `calls` samples of one key, oldest first, with running sums; grows by doubling up to the window. */
class Ring {
  at: Float64Array = new Float64Array(8)
  /** Post-dial delay in ms, -1 = none. */
  pdd: Int32Array = new Int32Array(8)
  /** Talk seconds of an answered call, -1 = not answered. */
  talk: Int32Array = new Int32Array(8)
  head = 0
  size = 0
  answered = 0
  talkSum = 0
  pddSum = 0
  pddCount = 0
  lastFedAtMs = 0
  cached: QualityFigures | undefined = undefined

  /** End time of the oldest sample (read before touching the arrays: routing checks it on every call). */
  oldestAtMs = Number.POSITIVE_INFINITY

  private dropOldest(): void {
    const i = this.head
    const t = this.talk[i]!
    if (t >= 0) {
      this.answered--
      this.talkSum -= t
    }
    const p = this.pdd[i]!
    if (p >= 0) {
      this.pddCount--
      this.pddSum -= p
    }
    this.head = (i + 1) % this.at.length
    this.size--
    this.oldestAtMs = this.size === 0 ? Number.POSITIVE_INFINITY : this.at[this.head]!
    this.cached = undefined
  }

  private grow(limit: number): void {
    const cap = Math.min(limit, this.at.length * 2)
    const at = new Float64Array(cap)
    const pdd = new Int32Array(cap)
    const talk = new Int32Array(cap)
    for (let k = 0; k < this.size; k++) {
      const i = (this.head + k) % this.at.length
      at[k] = this.at[i]!
      pdd[k] = this.pdd[i]!
      talk[k] = this.talk[i]!
    }
    this.at = at
    this.pdd = pdd
    this.talk = talk
    this.head = 0
  }

  /** Drops samples beyond the last `calls` and older than `fromMs`. */
  trim(calls: number, fromMs: number): void {
    while (this.size > calls || this.oldestAtMs < fromMs) this.dropOldest()
  }

  push(atMs: number, pddMs: number, talkSec: number, calls: number): void {
    this.trim(calls - 1, Number.NEGATIVE_INFINITY)
    if (this.size === this.at.length) this.grow(calls)
    const i = (this.head + this.size) % this.at.length
    this.at[i] = atMs
    this.pdd[i] = pddMs
    this.talk[i] = talkSec
    if (this.size === 0) this.oldestAtMs = atMs
    this.size++
    if (talkSec >= 0) {
      this.answered++
      this.talkSum += talkSec
    }
    if (pddMs >= 0) {
      this.pddCount++
      this.pddSum += pddMs
    }
    this.lastFedAtMs = atMs
    this.cached = undefined
  }

  figures(): QualityFigures {
    return (this.cached ??= {
      calls: this.size,
      answered: this.answered,
      asr: this.size === 0 ? null : this.answered / this.size,
      acdSec: this.answered === 0 ? null : this.talkSum / this.answered,
      pddMs: this.pddCount === 0 ? null : this.pddSum / this.pddCount,
    })
  }
}

/**
 * The window of each (gateway, prefix): its last SS_ROUTE_QUALITY_WINDOW_CALLS attempts of calls that ended within
 * SS_ROUTE_QUALITY_WINDOW_MINUTES. An attempt counts at its call's end time, so feeding CDRs in the order they ended
 * gives the same figures whether the core feeds them as calls end or the edge reads them back from the database.
 * O(1) per attempt (amortised); memory at most MAX_QUALITY_KEYS × window calls × 16 bytes.
 */
export class RollingQuality implements QualitySource {
  private readonly byGateway = new GatewayIndexed<Map<string, Ring>>()
  private keys = 0

  /** `window` is read on every call, so a new config snapshot takes effect at once. */
  constructor(private readonly window: () => Pick<QualityParams, 'SS_ROUTE_QUALITY_WINDOW_CALLS' | 'SS_ROUTE_QUALITY_WINDOW_MINUTES'>) {}

  /** Number of (gateway, prefix) keys held. */
  get size(): number {
    return this.keys
  }

  /** Feeds the attempts of one finished call. */
  record(cdr: QualityCdr): void {
    const calls = this.window().SS_ROUTE_QUALITY_WINDOW_CALLS
    for (const a of cdr.attempts) {
      if (a.matchedPrefix === undefined) continue
      let prefixes = this.byGateway.get(a.routingGatewayId)
      if (prefixes === undefined) this.byGateway.set(a.routingGatewayId, (prefixes = new Map()))
      let ring = prefixes.get(a.matchedPrefix)
      if (ring === undefined) {
        if (this.keys >= MAX_QUALITY_KEYS) this.evict()
        prefixes.set(a.matchedPrefix, (ring = new Ring()))
        this.keys++
      }
      const pdd = a.pddMs == null ? -1 : Math.max(0, Math.round(a.pddMs))
      const talk = answeredAttempt(a) && cdr.answeredAtMs !== null ? cdr.durationSec : -1
      ring.push(cdr.endedAtMs, pdd, talk, calls)
    }
  }

  /** Figures of (gateway, prefix) at `nowMs`; undefined when no attempt is in its window. */
  figures(routingGatewayId: string, prefix: string, nowMs: number): QualityFigures | undefined {
    return this.windowed(this.byGateway.get(routingGatewayId)?.get(prefix), nowMs)
  }

  /** `figures` by `table`'s gateway index. */
  figuresAt(table: GatewayIds, index: number, prefix: string, nowMs: number): QualityFigures | undefined {
    return this.windowed(this.byGateway.at(table)[index]?.get(prefix), nowMs)
  }

  private windowed(ring: Ring | undefined, nowMs: number): QualityFigures | undefined {
    if (ring === undefined) return undefined
    const w = this.window()
    ring.trim(w.SS_ROUTE_QUALITY_WINDOW_CALLS, nowMs - w.SS_ROUTE_QUALITY_WINDOW_MINUTES * MINUTE_MS)
    return ring.size === 0 ? undefined : ring.figures()
  }

  /** Drops the least recently fed tenth of the keys. */
  private evict(): void {
    const all: { gw: string; prefix: string; at: number }[] = []
    for (const [gw, prefixes] of this.byGateway.map) for (const [prefix, ring] of prefixes) all.push({ gw, prefix, at: ring.lastFedAtMs })
    all.sort((a, b) => a.at - b.at)
    for (const k of all.slice(0, Math.max(1, Math.floor(all.length / 10)))) {
      const prefixes = this.byGateway.get(k.gw)!
      prefixes.delete(k.prefix)
      if (prefixes.size === 0) this.byGateway.set(k.gw, undefined)
      this.keys--
    }
  }
}

/** How routing reads a gateway's figures: too few calls to judge, healthy, or under the ASR / over the PDD threshold. */
export type QualityVerdict = 'unjudged' | 'healthy' | 'lowAsr' | 'highPdd'

/** Judges figures against SS_ROUTE_QUALITY_MIN_CALLS, SS_ROUTE_ASR_MIN_PERCENT and SS_ROUTE_PDD_MAX_MS (0 = no PDD limit). */
export function judgeQuality(f: QualityFigures | undefined, p: QualityParams): QualityVerdict {
  if (f === undefined || f.calls < p.SS_ROUTE_QUALITY_MIN_CALLS) return 'unjudged'
  if (f.asr !== null && f.asr * 100 < p.SS_ROUTE_ASR_MIN_PERCENT) return 'lowAsr'
  if (p.SS_ROUTE_PDD_MAX_MS > 0 && f.pddMs !== null && f.pddMs > p.SS_ROUTE_PDD_MAX_MS) return 'highPdd'
  return 'healthy'
}

/**
 * Weighted score in 0..1, higher is better, in steps of 0.05 so near-equal gateways tie and keep sharing load: ASR,
 * scaled down by SS_ROUTE_PDD_MAX_MS / PDD when PDD is over that limit. An unjudged gateway scores 1 (it has to carry
 * calls before it can be judged).
 */
export function qualityScore(f: QualityFigures | undefined, p: QualityParams): number {
  if (f === undefined || f.calls < p.SS_ROUTE_QUALITY_MIN_CALLS || f.asr === null) return 1
  const slow = p.SS_ROUTE_PDD_MAX_MS > 0 && f.pddMs !== null && f.pddMs > p.SS_ROUTE_PDD_MAX_MS ? p.SS_ROUTE_PDD_MAX_MS / f.pddMs : 1
  return Math.floor(f.asr * slow * 20 + 1e-9) / 20
}
