// Drains the CDR journal into libSQL in batches off the hot path, idempotently, backing off while the database is down.
import type { Db } from '../../shared/db/node/database.js'
import type { Clock, TimerHandle } from '../lib/clock.js'
import type { Logger } from '../lib/log.js'
import type { BilledBatch } from '../policy/balance-ledger.js'
import { clientCdrInsert, isDataError, type CdrInsert } from './cdr-insert.js'
import { chargeRows, isCharged } from './charges.js'
import type { CdrJournal } from './journal.js'
import type { CdrRecord } from './record.js'
import { open } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Writer options; `intervalMs` is the drain period (default 1 s), `batchSize` (default 1,000) the most records of one
 * insert, and as many waiting also trigger an early drain. A commit's cost is mostly the index pages it rewrites
 * (every index of `cdrs` gets an entry per row), shared by the rows of one batch: on a production-sized table a batch
 * of 1,000 costs about 0.6x the CPU per record of a batch of 200 (docs/capacity.md, "The CDR insert"). Records wait
 * in the fsync'd journal meanwhile, so a longer period delays a CDR's arrival in the database, never its safety.
 */
export interface CdrWriterOptions {
  journal: CdrJournal
  db: Db
  clock: Clock
  log: Logger
  batchSize?: number
  intervalMs?: number
  backoffInitialMs?: number
  backoffMaxMs?: number
  /** Where batches go (`openCdrInsert`: statements prepared once for a local file); default the client of `db`. */
  insert?: CdrInsert
  /** Told after each commit that charged CDRs (the policy's ledger stops counting them as pending). */
  onBilled?: (batch: BilledBatch) => void
}

/** Outcome of one drain pass. */
export type DrainResult =
  | { kind: 'idle' }
  | { kind: 'written'; records: number; more: boolean }
  | { kind: 'failed'; retryInMs: number; error: unknown }

/** Moves journal records to the `cdrs` table; the checkpoint advances only after the insert committed. */
export class CdrWriter {
  private timer: TimerHandle | null = null
  private running: Promise<DrainResult> | null = null
  private failures = 0
  private nextDelayMs: number
  private stopped = true
  private appendsSinceDrain = 0
  private readonly batchSize: number
  private readonly intervalMs: number
  private readonly backoffInitialMs: number
  private readonly backoffMaxMs: number
  private readonly target: CdrInsert
  /** Records inserted since start (for metrics and the bench). */
  written = 0
  /** Drains that failed since start (database unreachable or refusing), for metrics. */
  failedDrains = 0

  constructor(private readonly opts: CdrWriterOptions) {
    this.batchSize = opts.batchSize ?? 1_000
    this.intervalMs = opts.intervalMs ?? 1_000
    this.backoffInitialMs = opts.backoffInitialMs ?? 250
    this.backoffMaxMs = opts.backoffMaxMs ?? 30_000
    this.target = opts.insert ?? clientCdrInsert(opts.db.$client)
    this.nextDelayMs = this.intervalMs
  }

  /** Consecutive failed drains (0 while the database is reachable). */
  get consecutiveFailures(): number {
    return this.failures
  }

  /** Starts the drain timer (the first pass replays whatever a previous run left uncommitted). */
  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.opts.journal.onAppend = () => {
      if (++this.appendsSinceDrain >= this.batchSize && this.failures === 0) this.kick()
    }
    this.arm(0)
  }

  /** Stops the timer; a drain in progress completes. */
  async stop(): Promise<void> {
    this.stopped = true
    this.opts.journal.onAppend = null
    this.timer?.cancel()
    this.timer = null
    if (this.running !== null) await this.running
  }

  /** Runs one drain pass now (or joins the one running): one batch, one insert, then the checkpoint. */
  drainOnce(): Promise<DrainResult> {
    this.running ??= this.drain().finally(() => {
      this.running = null
    })
    return this.running
  }

  /** Drains until the journal is empty or `deadlineMs` (on the clock) passes; true when everything reached the db. */
  async flush(deadlineMs: number): Promise<boolean> {
    await this.settled() // a pass already running may have read the journal before the latest appends
    for (;;) {
      const r = await this.drainOnce()
      if (r.kind === 'idle') return true
      if (r.kind === 'written' && !r.more) return true
      if (this.opts.clock.now() >= deadlineMs) return false
      if (r.kind === 'failed') {
        const wait = Math.min(r.retryInMs, deadlineMs - this.opts.clock.now())
        if (wait <= 0) return false
        await new Promise<void>((resolve) => this.opts.clock.after(wait, resolve))
      }
    }
  }

  /** Resolves when no drain is running (tests await this after advancing a manual clock). */
  async settled(): Promise<void> {
    while (this.running !== null) await this.running
  }

  private kick(): void {
    if (this.stopped || this.running !== null) return
    this.timer?.cancel()
    this.arm(0)
  }

  private arm(ms: number): void {
    this.timer?.cancel()
    if (this.stopped) return
    this.timer = this.opts.clock.after(ms, () => {
      this.timer = null
      void this.drainOnce().then((r) => this.arm(r.kind === 'written' && r.more ? 0 : this.nextDelayMs))
    })
  }

  private async drain(): Promise<DrainResult> {
    const { journal, log } = this.opts
    this.appendsSinceDrain = 0
    let batch
    try {
      batch = await journal.read(journal.checkpoint, this.batchSize)
      if (batch.records.length === 0) {
        if (batch.end.segment !== journal.checkpoint.segment || batch.end.offset !== journal.checkpoint.offset) await journal.commit(batch.end)
        return { kind: 'idle' }
      }
      await this.insert(batch.records)
      await journal.commit(batch.end, batch.records.length)
    } catch (error) {
      this.failures++
      this.failedDrains++
      const retryInMs = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** (this.failures - 1))
      this.nextDelayMs = retryInMs
      if (this.failures === 1) log.warn('cdr writer cannot reach the database; records stay in the journal', { error })
      else log.debug('cdr writer still failing', { failures: this.failures, retryInMs })
      return { kind: 'failed', retryInMs, error }
    }
    if (this.failures > 0) log.info('cdr writer resumed', { afterFailures: this.failures })
    this.failures = 0
    this.nextDelayMs = this.intervalMs
    this.written += batch.records.length
    return { kind: 'written', records: batch.records.length, more: batch.records.length >= this.batchSize }
  }

  /** One multi-row insert; on a data error falls back to row by row and sets rejected rows aside in `rejected.ndjson`. */
  private async insert(records: readonly CdrRecord[]): Promise<void> {
    try {
      await this.write(records)
      return
    } catch (err) {
      if (!isDataError(err)) throw err
    }
    for (const r of records) {
      try {
        await this.write([r])
      } catch (err) {
        if (!isDataError(err)) throw err
        await this.reject(r, err)
        // Never charged: the ledger must stop holding it against the balance.
        if (isCharged(r)) this.opts.onBilled?.({ cdrIds: [r.id], balances: [] })
      }
    }
  }

  /**
   * Inserts `records`; when some carry charges, the balance UPDATE and the `billed_cdrs` insert go in the same
   * transaction, so balances move exactly once per CDR however often it is replayed (`core/cdr/cdr-insert.ts`).
   */
  private async write(records: readonly CdrRecord[]): Promise<void> {
    const charges = chargeRows(records)
    const balances = await this.target.write(records, charges, Math.floor(this.opts.clock.now()))
    if (charges.length > 0) this.opts.onBilled?.({ cdrIds: charges.map((c) => c[0]), balances })
  }

  private async reject(record: CdrRecord, error: unknown): Promise<void> {
    this.opts.log.error('cdr refused by the database; kept in rejected.ndjson', { id: record.id, error })
    const fh = await open(join(this.opts.journal.directory, 'rejected.ndjson'), 'a')
    try {
      await fh.write(JSON.stringify({ error: String(error), record }) + '\n')
      await fh.datasync()
    } finally {
      await fh.close()
    }
  }
}
