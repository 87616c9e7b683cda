// Publishes live gateway state (OPTIONS online, RTT, loss, current calls, calls per second) to `gateway_status` every few seconds, in one transaction, off the call path; db errors are retried on the next tick.
import { and, eq, notInArray, sql } from 'drizzle-orm'
import { gatewayStatus } from '../../shared/db/schema.js'
import type { GatewayStatusRow } from '../../shared/entities/gateway-status.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import type { Db } from '../../shared/db/node/database.js'
import type { Clock } from '../lib/clock.js'
import { Periodic } from '../lib/periodic.js'
import type { Logger } from '../lib/log.js'
import type { CounterSeries, Metrics } from '../lib/metrics.js'
import type { ProbeView } from '../gateway-probes/probe-state.js'
import type { LineCounters } from '../policy/limits.js'

/** Default publish period (ms). */
export const STATUS_PUBLISH_MS = 5_000

/** Window of the rolling calls-per-second rate (ms). */
export const CPS_WINDOW_MS = 30_000

/** Where the publisher reads live state. */
export interface LiveSources {
  snapshot(): ConfigSnapshot
  lines: Pick<LineCounters, 'ingressCalls' | 'gatewayCallsOf' | 'taken'>
  /** OPTIONS check state of a routing gateway (undefined when it is not checked). */
  probe(routingGatewayId: string): ProbeView | undefined
}

/** Options for the publisher. */
export interface StatusPublisherOptions {
  db: Db
  clock: Clock
  log: Logger
  metrics: Metrics
  nodeId: string
  sources: LiveSources
  periodMs?: number
}

/** One sample of the cumulative lines-taken totals. */
interface TotalsSample {
  atMs: number
  mapping: Map<string, number>
  routing: Map<string, number>
}

/** Rows per multi-row upsert statement (13 columns each; well under SQLite's variable limit). */
const CHUNK = 400

/** Periodic upsert of one row per routing and mapping gateway of the snapshot; rows of gateways this node no longer has are deleted. */
export class StatusPublisher {
  private readonly loop: Periodic
  private readonly samples: TotalsSample[] = []
  private readonly failures: CounterSeries
  private readonly published: CounterSeries
  private readonly periodMs: number
  /** Consecutive failed publishes (0 after a success). */
  consecutiveFailures = 0

  constructor(private readonly opts: StatusPublisherOptions) {
    this.periodMs = opts.periodMs ?? STATUS_PUBLISH_MS
    this.loop = new Periodic(opts.clock, this.periodMs, () => this.publishOnce())
    this.failures = opts.metrics.counter('live_status_publish_failures_total', 'gateway_status publishes that failed (retried next period)').labels()
    this.published = opts.metrics.counter('live_status_publishes_total', 'gateway_status publishes committed').labels()
  }

  /** Publishes now and then every period. */
  start(): void {
    this.loop.start()
  }

  /** Stops the timer and waits for a publish in flight. */
  async stop(): Promise<void> {
    await this.loop.stop()
  }

  /** One publish; resolves false (and logs) on a database error instead of throwing. */
  async publishOnce(): Promise<boolean> {
    const rows = this.rows()
    try {
      const db = this.opts.db
      const stmts = []
      for (let i = 0; i < rows.length; i += CHUNK) {
        stmts.push(
          db.insert(gatewayStatus).values(rows.slice(i, i + CHUNK)).onConflictDoUpdate({
            // Each node owns its rows: several nodes never overwrite each other; readers sum them (edge/live/gateway-status.ts).
            target: [gatewayStatus.kind, gatewayStatus.gatewayId, gatewayStatus.nodeId],
            set: {
              online: sql`excluded.online`, lastCheckAtMs: sql`excluded.last_check_at_ms`, rttMs: sql`excluded.rtt_ms`,
              lossRatio: sql`excluded.loss_ratio`, lastCode: sql`excluded.last_code`, currentCalls: sql`excluded.current_calls`,
              callsPerSec: sql`excluded.calls_per_sec`, updatedAtMs: sql`excluded.updated_at_ms`,
            },
          }),
        )
      }
      for (const kind of ['routing', 'mapping'] as const) {
        const ids = rows.filter((r) => r.kind === kind).map((r) => r.gatewayId)
        const mine = and(eq(gatewayStatus.nodeId, this.opts.nodeId), eq(gatewayStatus.kind, kind))
        stmts.push(db.delete(gatewayStatus).where(ids.length === 0 ? mine : and(mine, notInArray(gatewayStatus.gatewayId, ids))))
      }
      // One batch is one transaction: readers see every gateway of one publish or none of it.
      await db.batch(stmts as [(typeof stmts)[number], ...(typeof stmts)[number][]])
      this.published.inc()
      if (this.consecutiveFailures > 0) this.opts.log.info('gateway status published again', { after: this.consecutiveFailures })
      this.consecutiveFailures = 0
      return true
    } catch (err) {
      this.failures.inc()
      if (this.consecutiveFailures++ === 0) this.opts.log.warn('gateway status publish failed; retrying every period', { err })
      return false
    }
  }

  /** Rows for every gateway of the current snapshot. */
  private rows(): GatewayStatusRow[] {
    const s = this.opts.sources
    const snap = s.snapshot()
    const now = Math.floor(this.opts.clock.now())
    const rate = this.rates(now)
    const nodeId = this.opts.nodeId
    const out: GatewayStatusRow[] = []
    for (const g of snap.routingGateways.values()) {
      const p = s.probe(g.id)
      out.push({
        kind: 'routing', gatewayId: g.id, online: p?.online ?? true, lastCheckAtMs: p?.lastCheckAtMs ?? null, rttMs: p?.rttMs ?? null,
        lossRatio: p?.lossRatio ?? null, lastCode: p?.lastCode ?? null, currentCalls: s.lines.gatewayCallsOf(g.id),
        callsPerSec: rate.routing(g.id), nodeId, updatedAtMs: now,
      })
    }
    for (const g of snap.mappingGateways.values()) {
      out.push({
        kind: 'mapping', gatewayId: g.id, online: true, lastCheckAtMs: null, rttMs: null, lossRatio: null, lastCode: null,
        currentCalls: s.lines.ingressCalls(g.id), callsPerSec: rate.mapping(g.id), nodeId, updatedAtMs: now,
      })
    }
    return out
  }

  /** Rolling calls per second over CPS_WINDOW_MS from samples of the cumulative totals (rounded to 0.01). */
  private rates(now: number): { routing(id: string): number; mapping(id: string): number } {
    const taken = this.opts.sources.lines.taken
    const sample: TotalsSample = { atMs: now, mapping: new Map(taken.mapping), routing: new Map(taken.routing) }
    this.samples.push(sample)
    while (this.samples.length > 2 && this.samples[1]!.atMs <= now - CPS_WINDOW_MS) this.samples.shift()
    const oldest = this.samples[0]!
    const sec = (now - oldest.atMs) / 1000
    const rate = (a: Map<string, number>, b: Map<string, number>, id: string): number =>
      sec <= 0 ? 0 : Math.round((((a.get(id) ?? 0) - (b.get(id) ?? 0)) / sec) * 100) / 100
    return { routing: (id) => rate(sample.routing, oldest.routing, id), mapping: (id) => rate(sample.mapping, oldest.mapping, id) }
  }
}
