// Refused authentication attempts counted in memory per time bucket, mapping gateway, source and reason, with a hard bound on keys under a flood from many sources; the writer flushes the counts to auth_refusals.
import { AUTH_REFUSAL_REASONS } from '../../../shared/entities/enums.js'
import { AUTH_REFUSAL_BUCKET_MS, FOLDED_SOURCES, NO_MAPPING_GATEWAY, type AuthRefusalRow } from '../../../shared/db/tables/auth-refusals.js'
import type { AuthRefusal, AuthRefusalObserver, AuthRefusalReason } from './auth-refusals.js'

/** The table's reason list and the event's reason type name the same reasons (a compile-time check). */
type SameReasons = [AuthRefusalReason] extends [(typeof AUTH_REFUSAL_REASONS)[number]]
  ? [(typeof AUTH_REFUSAL_REASONS)[number]] extends [AuthRefusalReason] ? true : never
  : never
const SAME_REASONS: SameReasons = true
void SAME_REASONS

/** Keys (mapping gateway, source, reason) of their own per bucket; further sources are folded into `*` rows. */
export const REFUSAL_SOURCE_KEYS = 128
/** Keys (mapping gateway, `*`, reason) folding sources per bucket; beyond them, sources fold into ('', `*`, reason). */
export const REFUSAL_GATEWAY_KEYS = 32
/** Reasons, hence keys ('', `*`, reason) that always have room. */
const REASON_KEYS = AUTH_REFUSAL_REASONS.length
/** The bound: keys (and rows written) per bucket and process, whatever the number of sources. */
export const REFUSAL_MAX_KEYS = REFUSAL_SOURCE_KEYS + REFUSAL_GATEWAY_KEYS + REASON_KEYS
/** Buckets held in memory at most (the current one, and ended ones not yet taken while the database is away). */
export const REFUSAL_MAX_BUCKETS = 3
/** Distinct ports and usernames are counted up to this many per key. */
const DISTINCT_CAP = 16

/** One row's worth of counts to add to auth_refusals (attempts since the last take). */
export type RefusalRow = AuthRefusalRow

interface Entry {
  readonly mappingGatewayId: string
  readonly sourceIp: string
  readonly reason: AuthRefusalReason
  attempts: number
  /** Attempts already handed to the writer. */
  taken: number
  readonly ports: Map<number, number>
  readonly users: Set<string>
  firstAtMs: number
  lastAtMs: number
}

interface Bucket {
  readonly entries: Map<string, Entry>
  sourceKeys: number
  gatewayKeys: number
}

const keyOf = (gateway: string, source: string, reason: string): string => gateway + '\u0000' + source + '\u0000' + reason

/**
 * The per-process tally: O(1) per refused attempt, at most REFUSAL_MAX_KEYS keys per bucket and REFUSAL_MAX_BUCKETS
 * buckets, so memory and rows stay bounded however many sources an attacker uses. Counts are per process and added
 * to the table's rows, so workers and nodes merge by summing.
 */
export class RefusalTally implements AuthRefusalObserver {
  private readonly buckets = new Map<number, Bucket>()
  /** Attempts folded into a `*` row because their bucket had no key left for their source. */
  folded = 0
  /** Attempts of buckets dropped before they were taken (the database was away too long). */
  dropped = 0

  onAuthRefused(e: AuthRefusal): void {
    const bucketMs = e.atMs - (e.atMs % AUTH_REFUSAL_BUCKET_MS)
    const b = this.bucket(bucketMs)
    const gateway = e.mappingGatewayId ?? NO_MAPPING_GATEWAY
    const entry = this.entry(b, gateway, e.sourceIp, e.reason, e.atMs)
    entry.attempts++
    entry.firstAtMs = Math.min(entry.firstAtMs, e.atMs)
    entry.lastAtMs = Math.max(entry.lastAtMs, e.atMs)
    const seen = entry.ports.get(e.sourcePort)
    if (seen !== undefined) entry.ports.set(e.sourcePort, seen + 1)
    else if (entry.ports.size < DISTINCT_CAP) entry.ports.set(e.sourcePort, 1)
    if (e.username !== null && entry.users.size < DISTINCT_CAP) entry.users.add(e.username)
  }

  /** Keys held now, over every bucket (for the bound's test and a gauge). */
  get keys(): number {
    let n = 0
    for (const b of this.buckets.values()) n += b.entries.size
    return n
  }

  /**
   * The counts added since the last take, one row per changed key; buckets that ended by `nowMs` are forgotten after
   * it (their last counts are in these rows).
   */
  take(nowMs: number): RefusalRow[] {
    const rows: RefusalRow[] = []
    for (const [bucketMs, b] of this.buckets) {
      for (const e of b.entries.values()) {
        if (e.attempts === e.taken) continue
        rows.push({
          bucketMs, mappingGatewayId: e.mappingGatewayId, sourceIp: e.sourceIp, reason: e.reason, attempts: e.attempts - e.taken,
          distinctPorts: e.ports.size, distinctUsers: e.users.size, topPort: topPort(e.ports), firstAtMs: e.firstAtMs, lastAtMs: e.lastAtMs,
        })
        e.taken = e.attempts
      }
      if (bucketMs + AUTH_REFUSAL_BUCKET_MS <= nowMs) this.buckets.delete(bucketMs)
    }
    return rows
  }

  private bucket(bucketMs: number): Bucket {
    let b = this.buckets.get(bucketMs)
    if (b !== undefined) return b
    if (this.buckets.size >= REFUSAL_MAX_BUCKETS) {
      const oldest = Math.min(...this.buckets.keys())
      for (const e of this.buckets.get(oldest)!.entries.values()) this.dropped += e.attempts - e.taken
      this.buckets.delete(oldest)
    }
    b = { entries: new Map(), sourceKeys: 0, gatewayKeys: 0 }
    this.buckets.set(bucketMs, b)
    return b
  }

  /** The key's entry: its own while the bucket has room, else the gateway's `*` entry, else the reason's. */
  private entry(b: Bucket, gateway: string, source: string, reason: AuthRefusalReason, atMs: number): Entry {
    const own = b.entries.get(keyOf(gateway, source, reason))
    if (own !== undefined) return own
    if (b.sourceKeys < REFUSAL_SOURCE_KEYS) {
      b.sourceKeys++
      return this.add(b, gateway, source, reason, atMs)
    }
    this.folded++
    const byGateway = b.entries.get(keyOf(gateway, FOLDED_SOURCES, reason))
    if (byGateway !== undefined) return byGateway
    if (gateway !== NO_MAPPING_GATEWAY && b.gatewayKeys < REFUSAL_GATEWAY_KEYS) {
      b.gatewayKeys++
      return this.add(b, gateway, FOLDED_SOURCES, reason, atMs)
    }
    return b.entries.get(keyOf(NO_MAPPING_GATEWAY, FOLDED_SOURCES, reason)) ?? this.add(b, NO_MAPPING_GATEWAY, FOLDED_SOURCES, reason, atMs)
  }

  private add(b: Bucket, mappingGatewayId: string, sourceIp: string, reason: AuthRefusalReason, atMs: number): Entry {
    const e: Entry = { mappingGatewayId, sourceIp, reason, attempts: 0, taken: 0, ports: new Map(), users: new Set(), firstAtMs: atMs, lastAtMs: atMs }
    b.entries.set(keyOf(mappingGatewayId, sourceIp, reason), e)
    return e
  }
}

/** The port seen most often (the first such on a tie). */
function topPort(ports: ReadonlyMap<number, number>): number {
  let best = 0
  let count = 0
  for (const [port, n] of ports) {
    if (n > count) {
      best = port
      count = n
    }
  }
  return best
}
