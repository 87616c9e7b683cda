// The CDR write-ahead journal: NDJSON segment files in DATA_DIR/cdr-journal/, group-committed appends, a checkpoint of what the db holds.
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../lib/log.js'
import { GroupCommitFile, type GroupCommitStats } from './group-commit.js'
import type { CdrRecord } from './record.js'

/** A byte position in the journal: everything before it is covered (read, or committed to the db). */
export interface JournalPosition {
  segment: number
  offset: number
}

/** Records read from the journal and the position just after the last one. */
export interface JournalBatch {
  records: CdrRecord[]
  end: JournalPosition
}

/**
 * Who uses the journal folder. `own` (one process): it appends, and its writer reads, commits and deletes segments.
 * On a node with several workers each worker has a folder it `append`s to (a new segment every start, nothing else),
 * and the primary `read`s every folder for its writer: it never appends except `appendSealed` (the SystemShutdown
 * CDRs of a dead worker's calls) and takes the newest segment as still growing.
 */
export type JournalRole = 'own' | 'append' | 'read'

/** Journal options; a segment is closed when it reaches `maxSegmentBytes` or `maxSegmentAgeMs`. */
export interface CdrJournalOptions {
  dir: string
  log: Logger
  /** Default `own`. */
  role?: JournalRole
  maxSegmentBytes?: number
  maxSegmentAgeMs?: number
  /** Epoch ms (default Date.now): segment age and when a record was journaled (the backlog's age). */
  now?: () => number
  /** Least time between two group commits of a segment (default 10 ms; see `GroupCommitFile.open`). */
  commitWindowMs?: number
}

/** Thrown when a record cannot be made durable even on a fresh segment (disk full, read-only volume). */
export class CdrJournalWriteError extends Error {
  override name = 'CdrJournalWriteError'
}

const SEGMENT = /^cdr-(\d{12})\.ndjson$/
const CHECKPOINT = 'checkpoint.json'
const READ_CHUNK = 1 << 20

/** File name of segment `seq`. */
export function segmentName(seq: number): string {
  return `cdr-${String(seq).padStart(12, '0')}.ndjson`
}

/** Writes `text` to `path` atomically and durably (tmp file, fsync, rename, fsync of the folder). */
export async function writeFileDurably(path: string, dir: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`
  const fh = await open(tmp, 'w')
  try {
    await fh.writeFile(text)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, path)
  await syncDir(dir)
}

/** Makes a folder's entries (new or renamed files) durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** Append-only CDR journal; `append` resolves after fsync, `read`/`commit` serve the db writer. */
export class CdrJournal {
  readonly stats: GroupCommitStats = { appends: 0, writes: 0, syncs: 0 }
  private active!: GroupCommitFile
  /** The segment this process appends to; -1 when it appends to none (role `read`). */
  private activeSeq = -1
  /** Role `read`: every segment is final (no worker appends to this folder any more). */
  private sealed = false
  private activeOpenedAtMs = 0
  private rotating: Promise<void> | null = null
  private readonly local = new Map<number, GroupCommitFile>()
  private committed: JournalPosition = { segment: 0, offset: 0 }
  private readonly tornLogged = new Set<string>()
  private readonly maxBytes: number
  private readonly maxAgeMs: number
  private readonly now: () => number
  /** Called after every durable append with its bytes and time (the writer drains early when a batch is full; a worker reports it to the primary). */
  onAppend: ((bytes: number, atMs: number) => void) | null = null

  /** Records appended (or found at open) and not yet committed, oldest first: when each was journaled and its bytes. */
  private readonly pendingAtMs: number[] = []
  private readonly pendingSizes: number[] = []
  private pendingHead = 0
  private pendingByteSum = 0
  /** Unwritten records found at open (a database outage or crash of the previous run), replayed by the writer. */
  replayedAtOpen = 0

  private readonly role: JournalRole

  private constructor(private readonly opts: CdrJournalOptions) {
    this.maxBytes = opts.maxSegmentBytes ?? 16 << 20
    this.maxAgeMs = opts.maxSegmentAgeMs ?? 10 * 60_000
    this.now = opts.now ?? Date.now
    this.role = opts.role ?? 'own'
  }

  /**
   * Opens the journal folder. `own` and `read` load the checkpoint, drop committed segments and count the backlog;
   * `own` and `append` start a fresh segment for appends (never after a crash's torn tail).
   */
  static async open(opts: CdrJournalOptions): Promise<CdrJournal> {
    const j = new CdrJournal(opts)
    await mkdir(opts.dir, { recursive: true })
    const seqs = await j.segments()
    if (j.role === 'append') {
      await j.openSegment((seqs.at(-1) ?? 0) + 1)
      return j
    }
    j.committed = await j.loadCheckpoint(seqs[0] ?? 0)
    if (j.role === 'own') await j.openSegment(Math.max(seqs.at(-1) ?? 0, j.committed.segment) + 1)
    await j.dropCommittedSegments()
    // The backlog a previous run left: counted once here so the backlog metrics are right from the first scrape.
    for await (const r of j.replay()) {
      j.pushPending(r.endedAtMs, Buffer.byteLength(JSON.stringify(r)) + 1)
      j.replayedAtOpen++
    }
    return j
  }

  /** Records not yet in the database. */
  get backlogRecords(): number {
    return this.pendingAtMs.length - this.pendingHead
  }

  /** Bytes of the records not yet in the database. */
  get backlogBytes(): number {
    return this.pendingByteSum
  }

  /** When the oldest record not yet in the database was journaled (epoch ms), or null when there is none. */
  get oldestBacklogAtMs(): number | null {
    return this.pendingAtMs[this.pendingHead] ?? null
  }

  private pushPending(atMs: number, bytes: number): void {
    this.pendingAtMs.push(atMs)
    this.pendingSizes.push(bytes)
    this.pendingByteSum += bytes
  }

  /** Forgets the oldest `n` pending records (they were committed); compacts the arrays now and then. */
  private shiftPending(n: number): void {
    const end = Math.min(this.pendingHead + n, this.pendingAtMs.length)
    for (let i = this.pendingHead; i < end; i++) this.pendingByteSum -= this.pendingSizes[i]!
    this.pendingHead = end
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pendingAtMs.length) {
      this.pendingAtMs.splice(0, this.pendingHead)
      this.pendingSizes.splice(0, this.pendingHead)
      this.pendingHead = 0
    }
  }

  /** The journal folder. */
  get directory(): string {
    return this.opts.dir
  }

  /** Position up to which the database holds every record. */
  get checkpoint(): JournalPosition {
    return { ...this.committed }
  }

  /** Role `read`: `count` records of `bytes` were appended by the worker that owns the folder, the first at `firstAtMs`. */
  noteAppended(count: number, bytes: number, firstAtMs: number): void {
    if (count <= 0) return
    const each = Math.floor(bytes / count)
    for (let i = 0; i < count; i++) this.pushPending(firstAtMs, i === 0 ? bytes - each * (count - 1) : each)
    this.onAppend?.(bytes, firstAtMs)
  }

  /** Role `read`: no worker appends here any more (a torn last line of the newest segment is then skipped, not awaited). */
  seal(): void {
    this.sealed = true
  }

  /** Role `read`: appends `records` durably in a segment of their own after every existing one, then closes it. */
  async appendSealed(records: readonly CdrRecord[]): Promise<void> {
    if (records.length === 0) return
    const seq = ((await this.segments()).at(-1) ?? this.committed.segment) + 1
    const file = await GroupCommitFile.open(join(this.opts.dir, segmentName(seq)), this.stats)
    await syncDir(this.opts.dir)
    try {
      let bytes = 0
      await Promise.all(records.map((r) => {
        const line = JSON.stringify(r) + '\n'
        bytes += Buffer.byteLength(line)
        return file.append(line)
      }))
      this.noteAppended(records.length, bytes, this.now())
    } finally {
      await file.close()
    }
  }

  /**
   * Journals one record (`json`: its serialization, when the caller has it); resolves once it is on disk (O_DSYNC),
   * sharing the write with every append of its commit window.
   */
  async append(record: CdrRecord, json = JSON.stringify(record)): Promise<void> {
    const line = json + '\n'
    if (this.rotating === null && (this.active.failed || this.dueForRotation())) this.rotating = this.rotate()
    if (this.rotating !== null) await this.rotating
    try {
      await this.active.append(line)
    } catch (err) {
      this.opts.log.error('cdr journal write failed; retrying on a new segment', { segment: this.activeSeq, error: err })
      this.rotating ??= this.rotate()
      await this.rotating
      try {
        await this.active.append(line)
      } catch (retryErr) {
        throw new CdrJournalWriteError('cdr journal cannot write', { cause: retryErr })
      }
    }
    const bytes = Buffer.byteLength(line)
    const atMs = this.now()
    // Role `append`: the primary counts the backlog of this folder (nothing here ever commits).
    if (this.role !== 'append') this.pushPending(atMs, bytes)
    this.onAppend?.(bytes, atMs)
  }

  /** Reads up to `max` durable records from `from`; corrupt lines and a torn segment tail are skipped and logged. */
  async read(from: JournalPosition, max: number): Promise<JournalBatch> {
    const records: CdrRecord[] = []
    let pos = { ...from }
    const all = await this.segments()
    const growing = this.growingFrom(all)
    const seqs = all.filter((s) => s >= pos.segment)
    if (seqs[0] !== undefined && seqs[0] > pos.segment) pos = { segment: seqs[0], offset: 0 }
    for (const seq of seqs) {
      if (seq > pos.segment) pos = { segment: seq, offset: 0 }
      const limit = await this.durableSize(seq)
      while (records.length < max && pos.offset < limit) {
        const chunk = await readRange(join(this.opts.dir, segmentName(seq)), pos.offset, Math.min(limit - pos.offset, READ_CHUNK))
        const lastNl = chunk.lastIndexOf(0x0a)
        if (lastNl < 0) {
          if (seq >= growing) break
          this.logTorn(seq, pos.offset, limit - pos.offset)
          pos = { segment: seq, offset: limit }
          break
        }
        let start = 0
        while (start <= lastNl && records.length < max) {
          const nl = chunk.indexOf(0x0a, start)
          const text = chunk.toString('utf8', start, nl)
          try {
            if (text.length > 0) records.push(JSON.parse(text) as CdrRecord)
          } catch {
            this.opts.log.error('corrupt cdr journal line skipped', { segment: seq, offset: pos.offset + start, text: text.slice(0, 200) })
          }
          start = nl + 1
        }
        pos = { segment: seq, offset: pos.offset + start }
      }
      if (records.length >= max || seq === this.activeSeq) break
    }
    return { records, end: pos }
  }

  /** Records the db now holds everything before `to` (the next `records` of the backlog, durably), then deletes segments that are wholly committed. */
  async commit(to: JournalPosition, records = 0): Promise<void> {
    let next = { ...to }
    // Role `read`: a segment that may still grow keeps the checkpoint (and is never deleted).
    const growing = this.growingFrom(await this.segments())
    if (next.segment !== this.activeSeq && next.segment < growing && next.offset >= (await this.durableSize(next.segment))) {
      next = { segment: next.segment + 1, offset: 0 }
    }
    await writeFileDurably(join(this.opts.dir, CHECKPOINT), this.opts.dir, JSON.stringify(next))
    this.committed = next
    this.shiftPending(records)
    await this.dropCommittedSegments()
  }

  /** Every record not yet committed to the db, in journal order (what the writer will drain at boot). */
  async *replay(batch = 1000): AsyncGenerator<CdrRecord> {
    let pos = this.checkpoint
    for (;;) {
      const b = await this.read(pos, batch)
      yield* b.records
      if (b.records.length === 0 || samePosition(b.end, pos)) return
      pos = b.end
    }
  }

  /** Commits the appends queued so far now, without waiting for the end of the commit window. */
  async flush(): Promise<void> {
    if (this.rotating !== null) await this.rotating
    if (this.activeSeq >= 0) await this.active.flush()
  }

  /** Flushes pending appends and closes the active segment. */
  async close(): Promise<void> {
    if (this.rotating !== null) await this.rotating
    if (this.activeSeq >= 0) await this.active.close()
  }

  /**
   * Role `read`: the first of the segments its worker may still write (the newest, and the one before it, whose last
   * appends a rotation may still be flushing); a line without its end there is awaited, not skipped as torn.
   */
  private growingFrom(seqs: readonly number[]): number {
    if (this.role !== 'read' || this.sealed) return Number.POSITIVE_INFINITY
    return seqs.length >= 2 ? seqs[seqs.length - 2]! : (seqs[0] ?? Number.POSITIVE_INFINITY)
  }

  private dueForRotation(): boolean {
    return this.active.durableSize >= this.maxBytes || (this.active.durableSize > 0 && this.now() - this.activeOpenedAtMs >= this.maxAgeMs)
  }

  private async rotate(): Promise<void> {
    const old = this.active
    try {
      await this.openSegment(this.activeSeq + 1)
      await old.close()
    } finally {
      this.rotating = null
    }
  }

  private async openSegment(seq: number): Promise<void> {
    const file = await GroupCommitFile.open(join(this.opts.dir, segmentName(seq)), this.stats, this.opts.commitWindowMs)
    await syncDir(this.opts.dir)
    this.local.set(seq, file)
    this.active = file
    this.activeSeq = seq
    this.activeOpenedAtMs = this.now()
  }

  private async segments(): Promise<number[]> {
    const names = await readdir(this.opts.dir)
    return names.flatMap((n) => { const m = SEGMENT.exec(n); return m ? [Number(m[1])] : [] }).sort((a, b) => a - b)
  }

  /** Bytes of a segment that are safe to read: the synced size for our own files, the file size for earlier ones. */
  private async durableSize(seq: number): Promise<number> {
    const mine = this.local.get(seq)
    if (mine !== undefined) return mine.durableSize
    try {
      return (await stat(join(this.opts.dir, segmentName(seq)))).size
    } catch {
      return 0
    }
  }

  private async loadCheckpoint(first: number): Promise<JournalPosition> {
    try {
      const raw = JSON.parse(await readFile(join(this.opts.dir, CHECKPOINT), 'utf8')) as Partial<JournalPosition>
      if (Number.isInteger(raw.segment) && Number.isInteger(raw.offset)) return { segment: raw.segment!, offset: raw.offset! }
      this.opts.log.error('cdr journal checkpoint unreadable; replaying every segment (inserts are idempotent)', { raw })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.opts.log.error('cdr journal checkpoint unreadable; replaying every segment (inserts are idempotent)', { error: err })
      }
    }
    return { segment: first, offset: 0 }
  }

  private async dropCommittedSegments(): Promise<void> {
    for (const seq of await this.segments()) {
      if (seq >= this.committed.segment || seq === this.activeSeq) continue
      await unlink(join(this.opts.dir, segmentName(seq))).catch(() => {})
      this.local.delete(seq)
    }
  }

  private logTorn(seq: number, offset: number, bytes: number): void {
    const key = `${seq}:${offset}`
    if (this.tornLogged.has(key)) return
    this.tornLogged.add(key)
    this.opts.log.warn('torn last line of a cdr journal segment skipped (crash during write)', { segment: seq, offset, bytes })
  }
}

function samePosition(a: JournalPosition, b: JournalPosition): boolean {
  return a.segment === b.segment && a.offset === b.offset
}

async function readRange(path: string, offset: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(length)
    const { bytesRead } = await fh.read(buf, 0, length, offset)
    return buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}
