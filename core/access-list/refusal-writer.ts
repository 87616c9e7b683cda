// Flushes this process's refused-attempt tally to auth_refusals every period (counts added to the rows, so workers and nodes merge), retries a failed flush, and prunes rows past their keep time.
import { lt, sql } from 'drizzle-orm'
import { authRefusals } from '../../shared/db/schema.js'
import { AUTH_REFUSAL_KEEP_MS } from '../../shared/db/tables/auth-refusals.js'
import type { Db } from '../../shared/db/node/database.js'
import type { Clock } from '../lib/clock.js'
import { Periodic } from '../lib/periodic.js'
import type { Logger } from '../lib/log.js'
import type { Metrics } from '../lib/metrics.js'
import { REFUSAL_MAX_BUCKETS, REFUSAL_MAX_KEYS, type RefusalRow, type RefusalTally } from '../policy/guard/refusal-tally.js'

/** Options for the writer. */
export interface RefusalWriterOptions {
  db: Db
  clock: Clock
  log: Logger
  metrics: Metrics
  /** Where the counts come from: this process's tally, or (a node's primary) what its workers sent. */
  tally: Pick<RefusalTally, 'take' | 'dropped' | 'keys' | 'folded'>
  /** Flush period (the core's STATUS_PUBLISH_MS). */
  periodMs: number
  /** How often old rows are deleted (default 10 min). */
  pruneEveryMs?: number
}

/** Rows per multi-row upsert (10 columns each). */
const CHUNK = 200
/** Rows kept for a retry while the database is away: as many as the tally can hold. */
const MAX_PENDING = REFUSAL_MAX_KEYS * REFUSAL_MAX_BUCKETS

const rowKey = (r: RefusalRow): string => `${r.bucketMs}\u0000${r.mappingGatewayId}\u0000${r.sourceIp}\u0000${r.reason}`

/** Adds `r` into `into` (attempts summed, distinct counts and times merged as the table merges them). */
function merge(into: RefusalRow, r: RefusalRow): void {
  into.attempts += r.attempts
  into.distinctPorts = Math.max(into.distinctPorts, r.distinctPorts)
  into.distinctUsers = Math.max(into.distinctUsers, r.distinctUsers)
  into.topPort = r.topPort
  into.firstAtMs = Math.min(into.firstAtMs, r.firstAtMs)
  into.lastAtMs = Math.max(into.lastAtMs, r.lastAtMs)
}

/** The periodic flusher; never throws, never blocks the receive path. */
export class RefusalWriter {
  private readonly pending = new Map<string, RefusalRow>()
  private readonly loop: Periodic
  private lastPruneMs = Number.NEGATIVE_INFINITY
  private failing = false
  private lost = 0

  constructor(private readonly opts: RefusalWriterOptions) {
    this.loop = new Periodic(opts.clock, opts.periodMs, () => this.flush())
    const m = opts.metrics
    const t = opts.tally
    m.gauge('auth_refusal_keys', 'Refused-attempt keys (bucket, mapping gateway, source, reason) held in memory', [], () => t.keys)
    m.counter('auth_refusals_folded_total', 'Refused attempts counted in a folded (*) source row: their bucket had no key left for the source', [], () => t.folded)
    m.counter('auth_refusals_dropped_total', 'Refused attempts never written: the database was away longer than the tally and retry buffer hold', [], () => t.dropped + this.lost)
  }

  /** Flushes every period from now on. */
  start(): void {
    this.loop.start(true)
  }

  /** Stops the timer and writes what is counted now (the shutdown waits for it). */
  async stop(): Promise<void> {
    await this.loop.stop()
    await this.flush()
  }

  /** Writes the counts added since the last flush, and earlier ones a failed flush kept; true when nothing is left. */
  async flush(): Promise<boolean> {
    const nowMs = Math.floor(this.opts.clock.now())
    for (const r of this.opts.tally.take(nowMs)) {
      const k = rowKey(r)
      const p = this.pending.get(k)
      if (p !== undefined) merge(p, r)
      else this.pending.set(k, r)
    }
    this.bound()
    if (this.pending.size === 0) return this.prune(nowMs)
    const rows = [...this.pending.values()]
    const db = this.opts.db
    const stmts = []
    for (let i = 0; i < rows.length; i += CHUNK) {
      stmts.push(db.insert(authRefusals).values(rows.slice(i, i + CHUNK)).onConflictDoUpdate({
        target: [authRefusals.bucketMs, authRefusals.mappingGatewayId, authRefusals.sourceIp, authRefusals.reason],
        set: {
          attempts: sql`${authRefusals.attempts} + excluded.attempts`,
          distinctPorts: sql`max(${authRefusals.distinctPorts}, excluded.distinct_ports)`,
          distinctUsers: sql`max(${authRefusals.distinctUsers}, excluded.distinct_users)`,
          topPort: sql`excluded.top_port`,
          firstAtMs: sql`min(${authRefusals.firstAtMs}, excluded.first_at_ms)`,
          lastAtMs: sql`max(${authRefusals.lastAtMs}, excluded.last_at_ms)`,
        },
      }))
    }
    try {
      // One batch is one transaction: a failed flush adds nothing, so its retry cannot count twice.
      await db.batch(stmts as [(typeof stmts)[number], ...(typeof stmts)[number][]])
      for (const r of rows) this.pending.delete(rowKey(r))
      if (this.failing) this.opts.log.info('refused-attempt counts written again')
      this.failing = false
    } catch (err) {
      if (!this.failing) this.opts.log.warn('writing refused-attempt counts failed; retrying every period', { err, rows: rows.length })
      this.failing = true
      return false
    }
    return this.prune(nowMs)
  }

  /** Keeps the retry buffer to MAX_PENDING rows, dropping the oldest buckets' rows first. */
  private bound(): void {
    if (this.pending.size <= MAX_PENDING) return
    const byAge = [...this.pending.entries()].sort((a, b) => a[1].bucketMs - b[1].bucketMs)
    for (const [k, r] of byAge.slice(0, this.pending.size - MAX_PENDING)) {
      this.lost += r.attempts
      this.pending.delete(k)
    }
  }

  /** Deletes rows whose last attempt is older than AUTH_REFUSAL_KEEP_MS, every pruneEveryMs. */
  private async prune(nowMs: number): Promise<boolean> {
    if (nowMs - this.lastPruneMs < (this.opts.pruneEveryMs ?? 600_000)) return true
    this.lastPruneMs = nowMs
    try {
      await this.opts.db.delete(authRefusals).where(lt(authRefusals.lastAtMs, nowMs - AUTH_REFUSAL_KEEP_MS))
    } catch (err) {
      this.opts.log.warn('pruning old refused-attempt counts failed', { err })
    }
    return true
  }
}
