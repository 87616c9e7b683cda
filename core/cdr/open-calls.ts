// The "open calls" journal: calls that started and have not yet produced a CDR, so a crash can close them as SystemShutdown.
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../lib/log.js'
import { GroupCommitFile, type GroupCommitStats } from './group-commit.js'
import { writeFileDurably } from './journal.js'
import type { CallAnswer, CallSkeleton } from './record.js'

/** A call found open in the journal of a previous run, with the last time that run was known alive. */
export interface RecoveredCall {
  call: CallSkeleton
  answer: CallAnswer | null
  lastKnownAtMs: number
}

type Line =
  | { op: 'open'; atMs: number; call: CallSkeleton }
  | { op: 'answer'; atMs: number; id: string; answer: CallAnswer }
  | { op: 'close'; atMs: number; id: string }
  | { op: 'alive'; atMs: number }

interface OpenCall {
  call: CallSkeleton
  answer: CallAnswer | null
}

const FILE = 'open-calls.ndjson'

/** Append-only log of open/answer/close events, compacted to the calls still open now and then. */
export class OpenCallJournal {
  readonly stats: GroupCommitStats = { appends: 0, writes: 0, syncs: 0 }
  private file!: GroupCommitFile
  private readonly open = new Map<string, OpenCall>()
  private linesSinceCompaction = 0
  private compacting: Promise<void> | null = null
  private recoveredCalls: RecoveredCall[] = []
  private lastAtMs = 0

  private constructor(private readonly dir: string, private readonly log: Logger) {}

  /** Opens the journal in `dir` and collects the calls a previous run left open (see `recovered`). */
  static async open(dir: string, log: Logger): Promise<OpenCallJournal> {
    const j = new OpenCallJournal(dir, log)
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

  /** Journals that the call's CDR is safely in the CDR journal. */
  async markClosed(id: string, atMs: number): Promise<void> {
    this.open.delete(id)
    await this.write({ op: 'close', atMs, id })
    if (this.linesSinceCompaction > 10_000 + 4 * this.open.size) await this.compact()
  }

  /** Records that the node is alive at `atMs`, bounding the endedAt of calls closed after a crash. */
  heartbeat(atMs: number): Promise<void> {
    return this.write({ op: 'alive', atMs })
  }

  /** Drops the previous run's calls from disk once their CDRs are journaled (rewrites the file with this run's calls). */
  async forgetRecovered(): Promise<void> {
    this.recoveredCalls = []
    await this.compact()
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    if (this.compacting !== null) await this.compacting
    await this.file.close()
  }

  private write(line: Line): Promise<void> {
    if (this.compacting !== null) return this.compacting.then(() => this.write(line))
    this.linesSinceCompaction++
    this.lastAtMs = Math.max(this.lastAtMs, line.atMs)
    return this.file.append(JSON.stringify(line) + '\n')
  }

  private compact(): Promise<void> {
    this.compacting ??= (async () => {
      try {
        await this.file.close()
        const now = this.lastAtMs
        const lines: string[] = []
        for (const { call, answer } of this.open.values()) {
          lines.push(JSON.stringify({ op: 'open', atMs: now, call }))
          if (answer !== null) lines.push(JSON.stringify({ op: 'answer', atMs: now, id: call.id, answer }))
        }
        lines.push(JSON.stringify({ op: 'alive', atMs: now }))
        await writeFileDurably(join(this.dir, FILE), this.dir, lines.join('\n') + '\n')
        this.file = await GroupCommitFile.open(join(this.dir, FILE), this.stats)
        this.linesSinceCompaction = 0
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
      else if (line.op === 'close') calls.delete(line.id)
    }
    // The file's mtime is the last write the dead process made, which may be later than its last heartbeat.
    lastKnownAtMs = Math.max(lastKnownAtMs, Math.floor(mtimeMs))
    return [...calls.values()].map((c) => ({ ...c, lastKnownAtMs }))
  }
}
