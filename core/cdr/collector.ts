// The primary's side of the CDR path on a node with several workers: every worker's journal folder read into libSQL by one writer each, and the calls a dead worker left open closed as SystemShutdown CDRs before it starts again.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Db } from '../../shared/db/node/database.js'
import type { Clock } from '../lib/clock.js'
import type { Logger } from '../lib/log.js'
import { CdrJournal } from './journal.js'
import type { CdrStats } from './metrics.js'
import { OpenCallJournal } from './open-calls.js'
import { systemShutdownRecord } from './record.js'
import { CdrWriter, type CdrWriterOptions } from './writer.js'

/** Collector options; folders live in `DATA_DIR/cdr-journal/` (`w<index>/` per worker). */
export interface CdrCollectorOptions {
  dataDir: string
  db: Db
  clock: Clock
  log: Logger
  writer?: Pick<CdrWriterOptions, 'batchSize' | 'intervalMs' | 'backoffInitialMs' | 'backoffMaxMs' | 'insert' | 'onBilled'>
  /**
   * Only the worker folders, every one final: a node now run as one process (CORE_WORKERS=1) empties what its workers
   * left, while its own sink owns the root folder.
   */
  leftovers?: boolean
}

/** One journal folder: its reader and writer. */
interface Folder {
  readonly dir: string
  readonly journal: CdrJournal
  readonly writer: CdrWriter
}

/** The root of every journal folder. */
export function journalRoot(dataDir: string): string {
  return join(dataDir, 'cdr-journal')
}

/** The journal folder of worker `index`. */
export function workerJournalDir(dataDir: string, index: number): string {
  return join(journalRoot(dataDir), `w${index}`)
}

/** Indexes of the worker journal folders on disk. */
export function workerFolders(dataDir: string): number[] {
  const root = journalRoot(dataDir)
  if (!existsSync(root)) return []
  return readdirSync(root).filter((name) => /^w\d+$/.test(name)).map((name) => Number(name.slice(1)))
}

/**
 * Reads every journal folder into the database: the workers' (`w<index>/`) and the root one a single-process node
 * wrote before. A worker only appends to its folder; the collector reads it as it grows, commits, deletes what the
 * database holds, and, before a worker starts (first start or after it died), turns the calls its folder still has
 * open into SystemShutdown CDRs, so `kill -9` of a worker loses no CDR. Inserts are idempotent by CDR id.
 */
export class CdrCollector implements CdrStats {
  private readonly folders = new Map<string, Folder>()
  /** Calls closed as SystemShutdown since this process started (all folders, every restart). */
  recoveredCalls = 0

  private constructor(private readonly opts: CdrCollectorOptions) {}

  /** Opens the root folder and every worker folder found on disk, recovering what their last run left open. */
  static async open(opts: CdrCollectorOptions): Promise<CdrCollector> {
    const c = new CdrCollector(opts)
    const root = journalRoot(opts.dataDir)
    if (opts.leftovers !== true) {
      // The folder a single-process node wrote: nobody appends to it any more.
      const legacy = await c.folder(root)
      await c.recover(root)
      legacy.journal.seal()
    }
    for (const index of workerFolders(opts.dataDir)) {
      await c.prepare(index)
      if (opts.leftovers === true) c.folders.get(workerJournalDir(opts.dataDir, index))?.journal.seal()
    }
    return c
  }

  /** Before worker `index` starts: its folder is read, and the calls it had open are closed as SystemShutdown CDRs. */
  async prepare(index: number): Promise<void> {
    const dir = workerJournalDir(this.opts.dataDir, index)
    await this.folder(dir)
    await this.recover(dir)
  }

  /** Worker `index` durably appended `count` CDRs of `bytes` (the first at `firstAtMs`): counted in the backlog, drained soon. */
  noteAppended(index: number, count: number, bytes: number, firstAtMs: number): void {
    this.folders.get(workerJournalDir(this.opts.dataDir, index))?.journal.noteAppended(count, bytes, firstAtMs)
  }

  /** Stops the writers, then drains every folder until `deadlineMs`; true when the database holds every CDR. */
  async close(deadlineMs: number): Promise<boolean> {
    let drained = true
    for (const f of this.folders.values()) {
      await f.writer.stop()
      drained = (await f.writer.flush(deadlineMs)) && drained
      await f.journal.close()
    }
    if (!drained) this.opts.log.warn('cdr journals not fully drained at close; they are replayed at the next start')
    return drained
  }

  get backlogRecords(): number {
    return this.sum((f) => f.journal.backlogRecords)
  }

  get backlogBytes(): number {
    return this.sum((f) => f.journal.backlogBytes)
  }

  get oldestBacklogAtMs(): number | null {
    let oldest: number | null = null
    for (const f of this.folders.values()) {
      const at = f.journal.oldestBacklogAtMs
      if (at !== null && (oldest === null || at < oldest)) oldest = at
    }
    return oldest
  }

  get written(): number {
    return this.sum((f) => f.writer.written)
  }

  get failedDrains(): number {
    return this.sum((f) => f.writer.failedDrains)
  }

  get consecutiveFailures(): number {
    let n = 0
    for (const f of this.folders.values()) n = Math.max(n, f.writer.consecutiveFailures)
    return n
  }

  get replayedAtOpen(): number {
    return this.sum((f) => f.journal.replayedAtOpen)
  }

  private sum(of: (f: Folder) => number): number {
    let n = 0
    for (const f of this.folders.values()) n += of(f)
    return n
  }

  /** The reader and writer of `dir`, opened (and started) on first use. */
  private async folder(dir: string): Promise<Folder> {
    const known = this.folders.get(dir)
    if (known !== undefined) return known
    const { clock, log, db } = this.opts
    const journal = await CdrJournal.open({ dir, log, now: () => clock.now(), role: 'read' })
    const writer = new CdrWriter({ journal, db, clock, log, ...this.opts.writer })
    const f = { dir, journal, writer }
    this.folders.set(dir, f)
    writer.start()
    return f
  }

  /**
   * The CDRs in the close lines of `dir`'s open-calls journal (its worker's segment may lack the last ones), and its
   * open calls as SystemShutdown CDRs, are appended durably before the journal forgets them.
   */
  private async recover(dir: string): Promise<void> {
    const f = await this.folder(dir)
    const openCalls = await OpenCallJournal.open(dir, this.opts.log)
    try {
      const recovered = openCalls.recovered
      const closed = openCalls.recoveredClosed
      if (recovered.length === 0 && closed.length === 0) return
      // CDRs first, then forget the journal's lines: a crash in between only repeats an idempotent insert; a CDR the
      // segment holds too is inserted once (ids) and charged once (`billed_cdrs`).
      await f.journal.appendSealed([...closed, ...recovered.map((r) => systemShutdownRecord(r.call, r.answer, r.lastKnownAtMs))])
      await openCalls.forgetRecovered()
      this.recoveredCalls += recovered.length
      if (recovered.length > 0) this.opts.log.warn('calls open when their worker stopped closed as SystemShutdown', { dir, count: recovered.length, ids: recovered.slice(0, 20).map((r) => r.call.id) })
    } finally {
      await openCalls.close()
    }
  }
}
