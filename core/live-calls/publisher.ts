// Publishes this node's calls in progress to `live_calls` and its heartbeat to `core_nodes`: only calls that are new, changed or due a media refresh are written, ended ones deleted, all in one batch.
import { and, eq, inArray } from 'drizzle-orm'
import { coreNodes, liveCalls } from '../../shared/db/schema.js'
import type { Db } from '../../shared/db/node/database.js'
import { jsonRowsInsert } from '../../shared/db/node/json-rows.js'
import type { LiveCallRow } from '../../shared/entities/live-call.js'
import type { CallSummary } from '../call/call.js'
import type { Clock } from '../lib/clock.js'
import { Periodic } from '../lib/periodic.js'
import type { Logger } from '../lib/log.js'
import type { CounterSeries, Metrics } from '../lib/metrics.js'

/** A call's RTP counters are rewritten at most this often (state changes are written every period). */
export const MEDIA_REFRESH_MS = 30_000

/** Rows per upsert statement. */
const CHUNK = 1000

/** One statement per chunk of changed calls, the rows as one JSON parameter (shared/db/node/json-rows.ts). */
const upsertRows = jsonRowsInsert(liveCalls, `on conflict ("id") do update set ${
  ['nodeId', 'state', 'calleeOut', 'routingGatewayId', 'answeredAtMs', 'attempts', 'media', 'updatedAtMs'].map((k) => {
    const name = liveCalls[k as 'nodeId'].name
    return `"${name}" = excluded."${name}"`
  }).join(', ')
}`)

/** Options for the publisher. */
export interface LiveCallsPublisherOptions {
  db: Db
  clock: Clock
  log: Logger
  metrics: Metrics
  nodeId: string
  periodMs: number
  /** Calls in progress now (the B2BUA's summaries; every worker's on a node with several). */
  calls(): readonly CallSummary[] | Promise<readonly CallSummary[]>
  /** True once the node drains (shown in core_nodes). */
  draining(): boolean
}

/** What a call's row says that changes without the clock: a changed signature is written at the next publish. */
function signature(c: CallSummary): string {
  return `${c.state}|${c.routingGatewayId ?? ''}|${c.calleeOut ?? ''}|${c.answeredAtMs ?? ''}|${c.attempts}|${c.media === null ? '' : c.media.relayed}`
}

function toRow(c: CallSummary, nodeId: string, nowMs: number): LiveCallRow {
  return {
    id: c.id, nodeId, callId: c.callId, state: c.state === 'ended' ? 'connected' : c.state, caller: c.caller, callee: c.callee, calleeOut: c.calleeOut,
    accountId: c.accountId, mappingGatewayId: c.mappingGatewayId, routingGatewayId: c.routingGatewayId, startedAtMs: c.startedAtMs,
    answeredAtMs: c.answeredAtMs, attempts: c.attempts, media: c.media, updatedAtMs: nowMs,
  }
}

/** Periodic, incremental publish of calls in progress; a failed publish is retried whole at the next period. */
export class LiveCallsPublisher {
  private readonly loop: Periodic
  /** What the database holds for this node after the last successful publish: id -> [signature, written at]. */
  private published = new Map<string, [string, number]>()
  /** False until a publish cleared what an earlier run of this node id left behind. */
  private synced = false
  private readonly startedAtMs: number
  private readonly failures: CounterSeries
  /** Consecutive failed publishes (0 after a success). */
  consecutiveFailures = 0

  constructor(private readonly opts: LiveCallsPublisherOptions) {
    this.startedAtMs = Math.floor(opts.clock.now())
    this.loop = new Periodic(opts.clock, opts.periodMs, () => this.publishOnce())
    this.failures = opts.metrics.counter('live_calls_publish_failures_total', 'live_calls publishes that failed (retried next period)').labels()
  }

  /** Publishes now and then every period. */
  start(): void {
    this.loop.start()
  }

  /** Stops the timer, waits for a publish in flight, and removes this node's calls and heartbeat (a clean stop leaves nothing live). */
  async stop(): Promise<void> {
    await this.loop.stop()
    try {
      await this.opts.db.batch([
        this.opts.db.delete(liveCalls).where(eq(liveCalls.nodeId, this.opts.nodeId)),
        this.opts.db.delete(coreNodes).where(eq(coreNodes.nodeId, this.opts.nodeId)),
      ])
    } catch (err) {
      this.opts.log.warn('live calls not cleared at stop; they go stale on their own', { err })
    }
  }

  /** One publish; resolves false (and logs) on a database error instead of throwing. */
  async publishOnce(): Promise<boolean> {
    const { db, nodeId } = this.opts
    const nowMs = Math.floor(this.opts.clock.now())
    let calls: readonly CallSummary[]
    try {
      calls = await this.opts.calls()
    } catch (err) {
      // A worker that did not answer in time: this period is skipped, the next one asks again.
      this.failures.inc()
      if (this.consecutiveFailures++ === 0) this.opts.log.warn('calls in progress not collected; retrying every period', { err })
      return false
    }
    const next = new Map<string, [string, number]>()
    const write: LiveCallRow[] = []
    for (const c of calls) {
      const sig = signature(c)
      const before = this.published.get(c.id)
      if (this.synced && before !== undefined && before[0] === sig && nowMs - before[1] < MEDIA_REFRESH_MS) next.set(c.id, before)
      else {
        write.push(toRow(c, nodeId, nowMs))
        next.set(c.id, [sig, nowMs])
      }
    }
    const gone = this.synced ? [...this.published.keys()].filter((id) => !next.has(id)) : []
    const stmts = []
    // The first publish (and the one after a failure) replaces whatever the database holds for this node id.
    if (!this.synced) stmts.push(db.delete(liveCalls).where(eq(liveCalls.nodeId, nodeId)))
    for (let i = 0; i < gone.length; i += CHUNK) stmts.push(db.delete(liveCalls).where(and(eq(liveCalls.nodeId, nodeId), inArray(liveCalls.id, gone.slice(i, i + CHUNK)))))
    for (let i = 0; i < write.length; i += CHUNK) stmts.push(db.run(upsertRows(write.slice(i, i + CHUNK) as unknown as ReadonlyArray<Record<string, unknown>>)))
    stmts.push(db.insert(coreNodes).values({
      nodeId, publishedAtMs: nowMs, publishPeriodMs: this.opts.periodMs, activeCalls: calls.length, draining: this.opts.draining(), startedAtMs: this.startedAtMs,
    }).onConflictDoUpdate({
      target: coreNodes.nodeId,
      set: { publishedAtMs: nowMs, publishPeriodMs: this.opts.periodMs, activeCalls: calls.length, draining: this.opts.draining(), startedAtMs: this.startedAtMs },
    }))
    try {
      // One batch is one transaction: a reader sees this node's calls of one publish or of the one before.
      await db.batch(stmts as [(typeof stmts)[number], ...(typeof stmts)[number][]])
      this.published = next
      this.synced = true
      if (this.consecutiveFailures > 0) this.opts.log.info('live calls published again', { after: this.consecutiveFailures })
      this.consecutiveFailures = 0
      return true
    } catch (err) {
      this.synced = false
      this.failures.inc()
      if (this.consecutiveFailures++ === 0) this.opts.log.warn('live calls publish failed; retrying every period', { err })
      return false
    }
  }
}
