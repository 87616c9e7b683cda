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
  /** The same for every route slot of `table` at `nowMs`, in flat arrays (routing prefers it: one array read per candidate). */
  slotsAt?(table: QualitySlotTable, nowMs: number): QualitySlots
}

/** What figures by route slot need of a routing table (RoutingTable fits): each gateway's first slot and prefixes. */
export interface QualitySlotTable extends GatewayIds {
  readonly gateways: readonly { readonly firstSlot: number; readonly config: { readonly id: string; readonly prefixes: readonly string[] } }[]
  readonly slots: number
}

/** Numbers per slot in `QualitySlots.flat`: calls (0 = none in the window), ASR (NaN = null), PDD ms (NaN = null), end time of the oldest call counted. */
export const SLOT_STRIDE = 4

/**
 * Figures of every (gateway, prefix) of one table, as of the last call that ended there: `flat` holds the numbers
 * routing judges by, SLOT_STRIDE per slot; `figuresOf` the same as an object (for candidates and explanations). A slot
 * is valid at the view's time while its calls ≤ `windowCalls` and its oldest call ended at or after `fromMs`; read
 * slots through `qualitySlot`, which refreshes a stale one first.
 */
export interface QualitySlots {
  readonly flat: Float64Array
  readonly fromMs: number
  readonly windowCalls: number
  /** The figures of a slot whose calls are not 0 (built once per change of its window). */
  figuresOf(slot: number): QualityFigures
  /** Drops what left the window from slot `slot`'s calls and rewrites its figures. */
  refresh(slot: number): void
}

/** Offset of slot `slot` in `v.flat`, its figures valid at the view's time (refreshed first when calls left the window). */
export function qualitySlot(v: QualitySlots, slot: number): number {
  const b = slot * SLOT_STRIDE
  const flat = v.flat
  const calls = flat[b]!
  if (calls !== 0 && (calls > v.windowCalls || flat[b + 3]! < v.fromMs)) v.refresh(slot)
  return b
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
  /** Figures by route slot of the last table asked (null: none yet, or to rebuild after an eviction). */
  private slotTable: QualitySlotTable | null = null
  private readonly view = new SlotView()

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
      this.publish(a.routingGatewayId, a.matchedPrefix, ring)
    }
  }

  /** Figures of every route slot of `table` at `nowMs` (rebuilt when the table changes: O(slots), once per snapshot). */
  slotsAt(table: QualitySlotTable, nowMs: number): QualitySlots {
    const v = this.view
    if (table !== this.slotTable) {
      v.reset(table.slots)
      for (const g of table.gateways) {
        const prefixes = this.byGateway.get(g.config.id)
        if (prefixes === undefined) continue
        const list = g.config.prefixes
        for (let k = 0; k < Math.max(1, list.length); k++) {
          const ring = prefixes.get(list.length === 0 ? '' : list[k]!)
          if (ring !== undefined) v.set(g.firstSlot + k, ring)
        }
      }
      this.slotTable = table
    }
    const w = this.window()
    v.windowCalls = w.SS_ROUTE_QUALITY_WINDOW_CALLS
    v.fromMs = nowMs - w.SS_ROUTE_QUALITY_WINDOW_MINUTES * MINUTE_MS
    return v
  }

  /** Rewrites the slots of (gateway, prefix) in the slot table after its ring changed. */
  private publish(routingGatewayId: string, prefix: string, ring: Ring): void {
    const table = this.slotTable
    const index = table?.indexOf.get(routingGatewayId)
    if (index === undefined) return
    const g = table!.gateways[index]!
    const list = g.config.prefixes
    if (list.length === 0) {
      if (prefix === '') this.view.set(g.firstSlot, ring)
      return
    }
    for (let k = 0; k < list.length; k++) if (list[k] === prefix) this.view.set(g.firstSlot + k, ring)
  }

  /** Figures of (gateway, prefix) at `nowMs`; undefined when no attempt is in its window. */
  figures(routingGatewayId: string, prefix: string, nowMs: number): QualityFigures | undefined {
    return this.windowed(this.byGateway.get(routingGatewayId)?.get(prefix), routingGatewayId, prefix, nowMs)
  }

  /** `figures` by `table`'s gateway index. */
  figuresAt(table: GatewayIds, index: number, prefix: string, nowMs: number): QualityFigures | undefined {
    return this.windowed(this.byGateway.at(table)[index]?.get(prefix), table.gateways[index]!.config.id, prefix, nowMs)
  }

  private windowed(ring: Ring | undefined, routingGatewayId: string, prefix: string, nowMs: number): QualityFigures | undefined {
    if (ring === undefined) return undefined
    const w = this.window()
    const size = ring.size
    ring.trim(w.SS_ROUTE_QUALITY_WINDOW_CALLS, nowMs - w.SS_ROUTE_QUALITY_WINDOW_MINUTES * MINUTE_MS)
    if (ring.size !== size) this.publish(routingGatewayId, prefix, ring)
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
    this.slotTable = null
  }
}

/** The slot table's numbers (see QualitySlots) and each slot's ring, rewritten whenever a ring changes. */
class SlotView implements QualitySlots {
  flat = new Float64Array(0)
  rings: (Ring | undefined)[] = []
  fromMs = 0
  windowCalls = 0

  /** Empties every slot of a table of `slots`. */
  reset(slots: number): void {
    this.flat = new Float64Array(slots * SLOT_STRIDE)
    this.rings = new Array<Ring | undefined>(slots).fill(undefined)
  }

  /** Puts `ring`'s current numbers in `slot` (the arithmetic of Ring.figures, without building the object). */
  set(slot: number, ring: Ring): void {
    this.rings[slot] = ring
    const b = slot * SLOT_STRIDE
    const flat = this.flat
    const calls = ring.size
    flat[b] = calls
    if (calls === 0) return
    flat[b + 1] = ring.answered / calls
    flat[b + 2] = ring.pddCount === 0 ? Number.NaN : ring.pddSum / ring.pddCount
    flat[b + 3] = ring.oldestAtMs
  }

  figuresOf(slot: number): QualityFigures {
    return this.rings[slot]!.figures()
  }

  refresh(slot: number): void {
    const ring = this.rings[slot]!
    ring.trim(this.windowCalls, this.fromMs)
    this.set(slot, ring)
  }
}

/** How routing reads a gateway's figures: too few calls to judge, healthy, or under the ASR / over the PDD threshold. */
export type QualityVerdict = 'unjudged' | 'healthy' | 'lowAsr' | 'highPdd'

/** Judges figures against SS_ROUTE_QUALITY_MIN_CALLS, SS_ROUTE_ASR_MIN_PERCENT and SS_ROUTE_PDD_MAX_MS (0 = no PDD limit). */
export function judgeQuality(f: QualityFigures | undefined, p: QualityParams): QualityVerdict {
  return f === undefined ? 'unjudged' : judgeFigures(f.calls, f.asr ?? Number.NaN, f.pddMs ?? Number.NaN, p)
}

/** `judgeQuality` of figures given as numbers (NaN = null), as QualitySlots holds them. */
export function judgeFigures(calls: number, asr: number, pddMs: number, p: QualityParams): QualityVerdict {
  if (calls < p.SS_ROUTE_QUALITY_MIN_CALLS) return 'unjudged'
  if (asr * 100 < p.SS_ROUTE_ASR_MIN_PERCENT) return 'lowAsr'
  if (p.SS_ROUTE_PDD_MAX_MS > 0 && pddMs > p.SS_ROUTE_PDD_MAX_MS) return 'highPdd'
  return 'healthy'
}

/**
 * Weighted score in 0..1, higher is better, in steps of 0.05 so near-equal gateways tie and keep sharing load: ASR,
 * scaled down by SS_ROUTE_PDD_MAX_MS / PDD when PDD is over that limit. An unjudged gateway scores 1 (it has to carry
 * calls before it can be judged).
 */
export function qualityScore(f: QualityFigures | undefined, p: QualityParams): number {
  return f === undefined ? 1 : scoreFigures(f.calls, f.asr ?? Number.NaN, f.pddMs ?? Number.NaN, p)
}

/** `qualityScore` of figures as numbers (as `judgeFigures` takes them). */
export function scoreFigures(calls: number, asr: number, pddMs: number, p: QualityParams): number {
  if (calls < p.SS_ROUTE_QUALITY_MIN_CALLS || Number.isNaN(asr)) return 1
  const slow = p.SS_ROUTE_PDD_MAX_MS > 0 && pddMs > p.SS_ROUTE_PDD_MAX_MS ? p.SS_ROUTE_PDD_MAX_MS / pddMs : 1
  return Math.floor(asr * slow * 20 + 1e-9) / 20
}
