// The cross-call counters a node's primary holds for its SIP workers: TAKE_LUA's program run in process over per-worker holds (exact, a dead worker's holds gone at once), or in Redis when several nodes share it, on this node's share while Redis is away.
import type { HoldSource, SharedHold, SharedState } from './shared-state.js'

/** What the primary needs of the node's link to Redis (shared-state.ts). */
export type NodeLink = Pick<SharedState, 'hold' | 'take' | 'release' | 'unsure' | 'fellBack' | 'lineShare' | 'rateShare' | 'addSource'>

/** The answer to a take, as TAKE_LUA gives it: [0] taken, [1, i] bucket i empty, [2, i] limit i full. */
export type TakeAnswer = readonly number[]

/** How much of each limit the in-process count may use: all of it, or this node's share while Redis is away. */
interface Share {
  lines(limit: number): number
  readonly rate: number
}

const WHOLE: Share = { lines: (limit) => limit, rate: 1 }

/** One worker's hold: the keys its take incremented, and whether Redis has it. */
interface Hold {
  readonly keys: readonly string[]
  readonly shared: SharedHold | null
}

/** A token bucket in process (TAKE_LUA's `t` and `at`). */
interface Bucket {
  tokens: number
  atMs: number
}

/**
 * The node's count of every limit that spans calls. A worker's take names its keys and TAKE_LUA's program (built by
 * cluster-limits.ts); without Redis the program runs here against the sum of every worker's holds, so a line limit
 * holds exactly whatever worker admits the call. With Redis the program runs there first, this node being one node
 * with one heartbeat; while Redis cannot answer it runs here against this node's share. Either way the holds stay
 * per worker: a worker that dies gives them all back (`forget`), and they are what a resync writes to Redis.
 */
export class NodeHolds implements HoldSource {
  private readonly totals = new Map<string, number>()
  private readonly buckets = new Map<string, Bucket>()
  private readonly byWorker = new Map<number, Map<number, Hold>>()

  constructor(private readonly now: () => number, private readonly link: NodeLink | null = null) {
    link?.addSource(this)
  }

  /** Lines held now under `key`, over every worker. */
  total(key: string): number {
    return this.totals.get(key) ?? 0
  }

  /** Holds of worker `worker` now (tests, metrics). */
  holdsOf(worker: number): number {
    return this.byWorker.get(worker)?.size ?? 0
  }

  /** Every key with the lines this node holds: what a resync writes to Redis. */
  holds(): Iterable<readonly [string, number]> {
    return this.totals
  }

  /**
   * Worker `worker`'s take `id` of `program` over `keys`, all or nothing; its increments become the worker's hold
   * `id` when taken. Synchronous without Redis.
   */
  take(worker: number, id: number, keys: readonly string[], program: readonly number[]): TakeAnswer | Promise<TakeAnswer> {
    const link = this.link
    if (link === null) return this.run(worker, id, keys, program, WHOLE, null)
    // Held before Redis is asked, so a resync sent meanwhile writes it too (as a single node's local lines are).
    const shared = link.hold()
    const incs = increments(keys, program)
    const held = this.keep(worker, id, incs, shared)
    const pending = link.take(keys, program)
    const onShare = (): TakeAnswer => {
      // A worker that died meanwhile takes nothing more.
      if (this.byWorker.get(worker)?.get(id) !== held) return [0]
      this.drop(worker, id)
      link.fellBack()
      return this.run(worker, id, keys, program, { lines: (l) => link.lineShare(l), rate: link.rateShare }, shared)
    }
    if (pending === undefined) return onShare()
    return pending.then((r) => {
      if (r === null) return onShare()
      if (r[0] === 0) {
        shared.confirmed = true
        // The worker died while Redis was answering.
        if (this.byWorker.get(worker)?.get(id) !== held) link.release(shared, incs)
        return r
      }
      if (this.byWorker.get(worker)?.get(id) === held) this.drop(worker, id)
      link.release(shared, incs)
      return r
    })
  }

  /** Worker `worker` gives back its hold `id` (one it never got is ignored). */
  release(worker: number, id: number): void {
    const h = this.byWorker.get(worker)?.get(id)
    if (h === undefined || !this.drop(worker, id)) return
    if (h.shared !== null) this.link?.release(h.shared, h.keys)
  }

  /** Worker `worker` is gone: every line it held is free now (in Redis after the next resync). */
  forget(worker: number): void {
    const holds = this.byWorker.get(worker)
    if (holds === undefined) return
    for (const id of [...holds.keys()]) this.drop(worker, id)
    this.byWorker.delete(worker)
    this.link?.unsure()
  }

  /** TAKE_LUA in process: buckets in order (a passed bucket keeps its token taken), then limits, then the increments. */
  private run(worker: number, id: number, keys: readonly string[], program: readonly number[], share: Share, shared: SharedHold | null): TakeAnswer {
    const key = (i: number): string => keys[program[i]! - 3]!
    let a = 0
    const nb = program[a++]!
    const nowMs = this.now()
    for (let i = 1; i <= nb; i++, a += 3) {
      const rate = program[a + 1]! * share.rate
      const burst = share.rate === 1 ? program[a + 2]! : Math.max(1, Math.floor(program[a + 2]! * share.rate))
      const k = key(a)
      let b = this.buckets.get(k)
      if (b === undefined) this.buckets.set(k, (b = { tokens: burst, atMs: nowMs }))
      if (nowMs > b.atMs) {
        b.tokens = Math.min(burst, b.tokens + ((nowMs - b.atMs) * rate) / 1000)
        b.atMs = nowMs
      }
      if (b.tokens < 1) return [1, i]
      b.tokens -= 1
    }
    const nc = program[a++]!
    for (let i = 1; i <= nc; i++) {
      let used = this.total(key(a))
      const limit = share.lines(program[a + 1]!)
      const nr = program[a + 2]!
      a += 3
      for (let r = 0; r < nr; r++, a += 2) {
        const held = program[a + 1]! - this.total(key(a))
        if (held > 0) used += held
      }
      if (used + 1 > limit) return [2, i]
    }
    this.keep(worker, id, increments(keys, program, a), shared)
    return [0]
  }

  private keep(worker: number, id: number, keys: readonly string[], shared: SharedHold | null): Hold {
    let holds = this.byWorker.get(worker)
    if (holds === undefined) this.byWorker.set(worker, (holds = new Map()))
    const h: Hold = { keys, shared }
    holds.set(id, h)
    for (const k of keys) this.totals.set(k, (this.totals.get(k) ?? 0) + 1)
    return h
  }

  /** Removes a hold; false when there was none. */
  private drop(worker: number, id: number): boolean {
    const holds = this.byWorker.get(worker)
    const h = holds?.get(id)
    if (h === undefined) return false
    holds!.delete(id)
    for (const k of h.keys) {
      const n = (this.totals.get(k) ?? 0) - 1
      if (n <= 0) this.totals.delete(k)
      else this.totals.set(k, n)
    }
    return true
  }
}

/** The keys a program increments when taken (its last section); `at` skips the parse when the caller has it. */
function increments(keys: readonly string[], program: readonly number[], at?: number): string[] {
  let a = at
  if (a === undefined) {
    a = 1 + program[0]! * 3
    const nc = program[a++]!
    for (let i = 0; i < nc; i++) a += 3 + program[a + 2]! * 2
  }
  const ni = program[a++]!
  const out: string[] = []
  for (let i = 0; i < ni; i++) out.push(keys[program[a + i]! - 3]!)
  return out
}
