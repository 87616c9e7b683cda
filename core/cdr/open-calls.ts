// The "open calls" journal: calls that started (closed as SystemShutdown after a crash) and, in each close line, the CDR of a call that ended, durable before its copy in the CDR segment is.
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../lib/log.js'
import { GroupCommitFile, type GroupCommitStats } from './group-commit.js'
import { writeFileDurably, type CdrJournal } from './journal.js'
import type { CallAnswer, CallSkeleton, CdrRecord } from './record.js'

/** A call found open in the journal of a previous run, with the last time that run was known alive. */
export interface RecoveredCall {
  call: CallSkeleton
  answer: CallAnswer | null
  lastKnownAtMs: number
}

type Line =
  | { op: 'open'; atMs: number; call: CallSkeleton }
  | { op: 'answer'; atMs: number; id: string; answer: CallAnswer }
  | { op: 'close'; atMs: number; id: string; cdr?: CdrRecord }
  | { op: 'alive'; atMs: number }

/** A CDR to copy to the CDR segment with its close line, and where the copy's promise goes. */
interface Copy {
  cdr: CdrRecord
  json: string
  copied: { p: Promise<void> | null }
}

interface OpenCall {
  call: CallSkeleton
  answer: CallAnswer | null
}

const FILE = 'open-calls.ndjson'

/**
 * Append-only log of open/answer/close events, compacted to the calls still open now and then. A close line carries
 * the call's CDR, so the CDR is durable with this file's next group commit; its copy in the CDR segment (`cdrs`) may
 * commit later and more rarely. Compaction drops close lines, so it first makes every copy durable, and skips while a
 * copy has failed (the close lines then stay the record until a restart recovers them).
 */
export class OpenCallJournal {
  readonly stats: GroupCommitStats = { appends: 0, writes: 0, syncs: 0 }
  private file!: GroupCommitFile
  private readonly open = new Map<string, OpenCall>()
  private linesSinceCompaction = 0
  private compacting: Promise<void> | null = null
  private recoveredCalls: RecoveredCall[] = []
  private recoveredCdrs: CdrRecord[] = []
  private lastAtMs = 0
  /** CDRs closed since the last compaction (their close lines would be lost by the next one). */
  private closedSinceCompaction = 0
  /** Copies to the CDR segment issued and not yet settled; compaction waits for none. */
  private copiesInFlight = 0
  private copiesSettled: (() => void) | null = null
  /** A copy failed: close lines are then the only durable record of some CDRs, and compaction stops until a restart. */
  private copyFailed = false
  private readonly copySettle = (): void => {
    if (--this.copiesInFlight === 0 && this.copiesSettled !== null) this.copiesSettled()
  }
  private readonly copyFail = (error: unknown): void => {
    if (!this.copyFailed) this.log.error('cdr segment write failed; the open-calls journal keeps the CDRs until the next start', { error })
    this.copyFailed = true
    this.copySettle()
  }

  private constructor(private readonly dir: string, private readonly log: Logger, private readonly cdrs: CdrJournal | null) {}

  /**
   * Opens the journal in `dir` and collects what a previous run left (see `recovered`, `recoveredCdrs`); the CDRs of
   * calls closed from now on are copied to `cdrs`.
   */
  static async open(dir: string, log: Logger, cdrs: CdrJournal | null = null): Promise<OpenCallJournal> {
    const j = new OpenCallJournal(dir, log, cdrs)
    j.recoveredCalls = await j.readPrevious()
    j.file = await GroupCommitFile.open(join(dir, FILE), j.stats)
    // A torn last line must not swallow the next one: start on a fresh line.
    if (j.file.durableSize > 0 && !(await readFile(join(dir, FILE))).subarray(-1).equals(Buffer.from('\n'))) await j.file.append('\n')
    return j
  }

  /** Calls that were open when the previous run stopped; turn them into CDRs, then call `forgetRecovered()`. */
  get recovered(): readonly RecoveredCall[] {
    return this.recoveredCalls
  }

  /**
   * CDRs of the close lines a previous run wrote since its last compaction; its CDR segment may lack some (a kill
   * before their copy was written). Append them again (inserts ignore ids the database holds, billing charges once),
   * then call `forgetRecovered()`.
   */
  get recoveredClosed(): readonly CdrRecord[] {
    return this.recoveredCdrs
  }

  /** Number of calls open in this run. */
  get size(): number {
    return this.open.size
  }

  /** Journals a call start; resolves once durable. */
  markOpen(call: CallSkeleton, atMs: number): Promise<void> {
    this.open.set(call.id, { call, answer: null })
    return this.write({ op: 'open', atMs, call })
  }

  /** Journals the answer facts of an open call; resolves once durable. */
  markAnswered(id: string, answer: CallAnswer, atMs: number): Promise<void> {
    const entry = this.open.get(id)
    if (entry !== undefined) entry.answer = answer
    return this.write({ op: 'answer', atMs, id, answer })
  }

  /**
   * Journals the call's end with its CDR (`json`: the CDR serialized once for both files); resolves once the close line
   * is durable, or, if this file failed, once the copy in the CDR segment is.
   */
  async markClosed(cdr: CdrRecord, atMs: number, json = JSON.stringify(cdr)): Promise<void> {
    this.open.delete(cdr.id)
    const copied: { p: Promise<void> | null } = { p: null }
    try {
      await this.append('{"op":"close","atMs":' + atMs + ',"id":' + JSON.stringify(cdr.id) + ',"cdr":' + json + '}\n', atMs, { cdr, json, copied })
    } catch (err) {
      if (copied.p === null) throw err
      await copied.p
    }
    // The CDR is durable by now: a failed compaction is the journal's trouble, not this call's.
    if (this.linesSinceCompaction > 10_000 + 4 * this.open.size) {
      await this.compact().catch((error: unknown) => this.log.error('open-calls journal compaction failed', { error }))
    }
  }

  /** Records that the node is alive at `atMs`, bounding the endedAt of calls closed after a crash. */
  heartbeat(atMs: number): Promise<void> {
    return this.write({ op: 'alive', atMs })
  }

  /** Drops the previous run's calls and CDRs from disk once their CDRs are journaled (rewrites the file with this run's calls). */
  async forgetRecovered(): Promise<void> {
    this.recoveredCalls = []
    this.recoveredCdrs = []
    await this.compact()
  }

  /** Flushes and closes the file; compacts first when calls closed since the last compaction (their CDRs copied durably). */
  async close(): Promise<void> {
    if (this.compacting !== null) await this.compacting
    if (this.closedSinceCompaction > 0 && this.cdrs !== null) await this.compact()
    await this.file.close()
  }

  private write(line: Line): Promise<void> {
    return this.append(JSON.stringify(line) + '\n', line.atMs, null)
  }

  private append(text: string, atMs: number, copy: Copy | null): Promise<void> {
    if (this.compacting !== null) return this.compacting.then(() => this.append(text, atMs, copy))
    this.linesSinceCompaction++
    this.lastAtMs = Math.max(this.lastAtMs, atMs)
    const done = this.file.append(text)
    if (copy !== null) {
      // Issued with the close line, never while compacting: a compaction waits for every copy issued before it.
      this.closedSinceCompaction++
      if (this.cdrs !== null) {
        this.copiesInFlight++
        copy.copied.p = this.cdrs.append(copy.cdr, copy.json)
        copy.copied.p.then(this.copySettle, this.copyFail)
      }
    }
    return done
  }

  /** Makes every copy issued so far durable in the CDR segment (committed now, not at the end of its window). */
  private async copiesDurable(): Promise<void> {
    while (this.copiesInFlight > 0) {
      const settled = new Promise<void>((resolve) => { this.copiesSettled = resolve })
      await this.cdrs?.flush()
      await settled
      this.copiesSettled = null
    }
  }

  private compact(): Promise<void> {
    this.compacting ??= (async () => {
      try {
        if (this.closedSinceCompaction > 0) {
          if (this.cdrs === null || this.copyFailed) return
          await this.copiesDurable()
          if (this.copyFailed) return
        }
        await this.file.close()
        const now = this.lastAtMs
        const lines: string[] = []
        for (const { call, answer } of this.open.values()) {
          lines.push(JSON.stringify({ op: 'open', atMs: now, call }))
          if (answer !== null) lines.push(JSON.stringify({ op: 'answer', atMs: now, id: call.id, answer }))
        }
        lines.push(JSON.stringify({ op: 'alive', atMs: now }))
        try {
          await writeFileDurably(join(this.dir, FILE), this.dir, lines.join('\n') + '\n')
          this.closedSinceCompaction = 0
        } finally {
          // Whether the rewrite replaced the file or not, the path holds every line: appends go on there, and the next
          // try comes after as many lines again (not at every close).
          this.linesSinceCompaction = 0
          this.file = await GroupCommitFile.open(join(this.dir, FILE), this.stats)
        }
      } finally {
        this.compacting = null
      }
    })()
    return this.compacting
  }

  private async readPrevious(): Promise<RecoveredCall[]> {
    const path = join(this.dir, FILE)
    let text: string
    let mtimeMs: number
    try {
      text = await readFile(path, 'utf8')
      mtimeMs = (await stat(path)).mtimeMs
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    const calls = new Map<string, OpenCall>()
    let lastKnownAtMs = 0
    for (const raw of text.split('\n')) {
      if (raw.length === 0) continue
      let line: Line
      try {
        line = JSON.parse(raw) as Line
      } catch {
        this.log.warn('torn or corrupt open-calls journal line skipped', { text: raw.slice(0, 200) })
        continue
      }
      lastKnownAtMs = Math.max(lastKnownAtMs, line.atMs)
      if (line.op === 'open') calls.set(line.call.id, { call: line.call, answer: null })
      else if (line.op === 'answer') { const c = calls.get(line.id); if (c !== undefined) c.answer = line.answer }
      else if (line.op === 'close') {
        calls.delete(line.id)
        if (line.cdr !== undefined) this.recoveredCdrs.push(line.cdr)
      }
    }
    // The file's mtime is the last write the dead process made, which may be later than its last heartbeat.
    lastKnownAtMs = Math.max(lastKnownAtMs, Math.floor(mtimeMs))
    return [...calls.values()].map((c) => ({ ...c, lastKnownAtMs }))
  }
}
