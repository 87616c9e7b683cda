// The CDR sink the call layer reports to: journals call starts and CDRs durably, and owns the writer that moves them to libSQL.
import { join } from 'node:path'
import { cdrCreate } from '../../shared/entities/cdr.js'
import type { CallObserver } from '../call/ports.js'
import type { Db } from '../../shared/db/node/database.js'
import type { Clock, TimerHandle } from '../lib/clock.js'
import type { Logger } from '../lib/log.js'
import { CdrJournal } from './journal.js'
import { OpenCallJournal } from './open-calls.js'
import { systemShutdownRecord, type CallAnswer, type CallSkeleton, type CdrRecord } from './record.js'
import { CdrWriter, type CdrWriterOptions } from './writer.js'

/** Sink options; the journal lives in `DATA_DIR/cdr-journal/` unless `dir` says otherwise. */
export interface CdrSinkOptions {
  dataDir: string
  /** The journal folder (a worker of a node with several has its own); default `DATA_DIR/cdr-journal/`. */
  dir?: string
  /** The database the sink's own writer fills; without one the sink only journals (a worker: the node's primary writes, cdr/collector.ts). */
  db?: Db
  clock: Clock
  log: Logger
  /** How often the node records that it is alive (bounds endedAt of calls closed after a crash); default 5 s. */
  heartbeatMs?: number
  maxSegmentBytes?: number
  maxSegmentAgeMs?: number
  /** Least time between two commits of the CDR segment (default SEGMENT_COMMIT_WINDOW_MS). */
  segmentCommitWindowMs?: number
  writer?: Pick<CdrWriterOptions, 'batchSize' | 'intervalMs' | 'backoffInitialMs' | 'backoffMaxMs' | 'insert' | 'onBilled'>
}

/**
 * Least time between two CDRs checked against the shared schema (the first one always is). A check of a CDR costs
 * ~50-60 µs in a busy process (zod's code is cold between checks), so one in 64 calls was 0.4-0.8% of a worker's busy
 * time at 1,250 calls/s; once a second bounds it at any rate (docs/capacity.md, "The journals' CPU per call").
 */
const SCHEMA_CHECK_INTERVAL_MS = 1000

/**
 * Least time between two commits of the CDR segment. A CDR is durable first in its close line of the open-calls journal
 * (which commits every ~10 ms under load anyway), so the segment only needs to commit before that journal compacts and
 * often enough for the database to get CDRs soon: one commit per 200 ms instead of up to one per 10 ms (docs/capacity.md, "CDRs").
 */
const SEGMENT_COMMIT_WINDOW_MS = 200

/** What `close()` achieved before its deadline. */
export interface CdrSinkCloseResult {
  /** Every journaled CDR reached the database. */
  drained: boolean
  /** Calls still open; the next start closes them as SystemShutdown. */
  openCalls: number
}

/**
 * Receives the call layer's events. It matches the call layer's observer interface structurally (the call layer
 * declares it; this module never imports upward): `onCallStarted`, `onCallAnswered`, `onCallEnded`.
 */
export class CdrSink implements CallObserver {
  private heartbeatTimer: TimerHandle | null = null
  private closed = false
  /** Calls a crash left open, closed as SystemShutdown CDRs at open. */
  recoveredCalls = 0
  /** Clock time before which no CDR is checked against the shared schema again. */
  private nextSchemaCheckAtMs = Number.NEGATIVE_INFINITY
  /** Journal writes the call layer started and that have not settled yet; close() lets them finish first. */
  private inFlight = 0
  private idle: (() => void) | null = null
  private readonly settle = (): void => {
    if (--this.inFlight === 0 && this.idle !== null) this.idle()
  }

  private constructor(
    readonly journal: CdrJournal,
    readonly openCalls: OpenCallJournal,
    readonly writer: CdrWriter | null,
    private readonly opts: CdrSinkOptions,
  ) {}

  /** Opens both journals, turns calls left open by a crash into SystemShutdown CDRs, and starts the writer (with a database). */
  static async open(opts: CdrSinkOptions): Promise<CdrSink> {
    const dir = opts.dir ?? join(opts.dataDir, 'cdr-journal')
    const journal = await CdrJournal.open({
      dir, log: opts.log, now: () => opts.clock.now(), role: opts.db === undefined ? 'append' : 'own',
      ...(opts.maxSegmentBytes === undefined ? {} : { maxSegmentBytes: opts.maxSegmentBytes }),
      ...(opts.maxSegmentAgeMs === undefined ? {} : { maxSegmentAgeMs: opts.maxSegmentAgeMs }),
      commitWindowMs: opts.segmentCommitWindowMs ?? SEGMENT_COMMIT_WINDOW_MS,
    })
    const openCalls = await OpenCallJournal.open(dir, opts.log, journal)
    const recovered = openCalls.recovered
    // CDRs first, then forget the journal's lines: a crash in between only repeats an idempotent insert. The closed
    // calls' CDRs go again (the segment may lack the last ones); the insert keeps one per id and billing charges once.
    await Promise.all([
      ...openCalls.recoveredClosed.map((r) => journal.append(r)),
      ...recovered.map((r) => journal.append(systemShutdownRecord(r.call, r.answer, r.lastKnownAtMs))),
    ])
    if (recovered.length > 0) {
      opts.log.warn('calls open at the last stop closed as SystemShutdown', { count: recovered.length, ids: recovered.slice(0, 20).map((r) => r.call.id) })
    }
    await openCalls.forgetRecovered()
    const writer = opts.db === undefined ? null : new CdrWriter({ journal, db: opts.db, clock: opts.clock, log: opts.log, ...opts.writer })
    const sink = new CdrSink(journal, openCalls, writer, opts)
    sink.recoveredCalls = recovered.length
    writer?.start()
    sink.beat()
    return sink
  }

  /** A call was admitted: journal it as open (durable before resolving). */
  onCallStarted(call: CallSkeleton): Promise<void> {
    return this.track(this.openCalls.markOpen(call, this.opts.clock.now()))
  }

  /** A call was answered: keep what is needed to bill it if the node dies mid-call. */
  onCallAnswered(id: string, answer: CallAnswer): Promise<void> {
    return this.track(this.openCalls.markAnswered(id, answer, this.opts.clock.now()))
  }

  /**
   * A call ended: resolves once its CDR is durable in the close line of the open-calls journal; its copy in the CDR
   * segment, which the database is filled from, commits within SEGMENT_COMMIT_WINDOW_MS.
   */
  onCallEnded(cdr: CdrRecord): Promise<void> {
    return this.track(this.journalEnded(cdr))
  }

  private journalEnded(cdr: CdrRecord): Promise<void> {
    // The call layer's tests check every CDR it builds against the shared schema; here at most one a second is checked,
    // enough for a systematic bug to reach the log. A malformed CDR is still journaled: losing it would be worse than
    // storing it late.
    const now = this.opts.clock.now()
    if (now >= this.nextSchemaCheckAtMs) {
      this.nextSchemaCheckAtMs = now + SCHEMA_CHECK_INTERVAL_MS
      const check = cdrCreate.safeParse(cdr)
      if (!check.success) this.opts.log.error('cdr fails the shared schema (bug in the call layer)', { id: cdr.id, issues: check.error.issues })
    }
    return this.openCalls.markClosed(cdr, now)
  }

  /** Counts a journal write until it settles (its outcome still goes to the caller). */
  private track(write: Promise<void>): Promise<void> {
    this.inFlight++
    write.then(this.settle, this.settle)
    return write
  }

  /** Same as `onCallEnded`, named for what it does with the CDR. */
  record(cdr: CdrRecord): Promise<void> {
    return this.onCallEnded(cdr)
  }

  /** Stops the heartbeat, drains the journal into the db until `deadlineMs` (clock time), closes the files. */
  async close(deadlineMs: number): Promise<CdrSinkCloseResult> {
    if (this.closed) return { drained: true, openCalls: this.openCalls.size }
    this.closed = true
    this.heartbeatTimer?.cancel()
    // A call that ended just before (the last one of a drain) may still be appending its CDR: let it land first.
    if (this.inFlight > 0) await new Promise<void>((resolve) => { this.idle = resolve })
    this.idle = null
    // Closing the open-calls journal commits every CDR's copy in the segment (then compacts), so the writer sees them.
    const openCalls = this.openCalls.size
    await this.openCalls.close()
    let drained = true
    if (this.writer !== null) {
      await this.writer.stop()
      drained = await this.writer.flush(deadlineMs)
    }
    await this.journal.close()
    if (!drained) this.opts.log.warn('cdr journal not fully drained at close; it is replayed at the next start')
    return { drained, openCalls }
  }

  private beat(): void {
    if (this.closed) return
    this.heartbeatTimer = this.opts.clock.after(this.opts.heartbeatMs ?? 5_000, () => {
      this.openCalls.heartbeat(this.opts.clock.now()).catch((error: unknown) => this.opts.log.warn('open-calls heartbeat failed', { error }))
      this.beat()
    })
  }
}
