// Time for the whole node: one Clock interface, a real binary-heap timer queue on a single setTimeout, and a ManualClock for tests.

/** A scheduled callback; `cancel()` is O(1) and safe to call more than once or after it fired. */
export interface TimerHandle {
  cancel(): void
}

/** Monotonic milliseconds plus one-shot timers; every time-dependent module takes one of these. */
export interface Clock {
  /** Milliseconds on a monotonic timeline (epoch-aligned for the real clock, 0-based for ManualClock). */
  now(): number
  /** Runs `fn` once `ms` from now (ms >= 0); timers due at the same instant fire in scheduling order. */
  after(ms: number, fn: () => void): TimerHandle
}

/** Thrown when our own code asks the clock for something impossible (negative or non-finite delays). */
export class ClockError extends Error {
  override name = 'ClockError'
}

/** One queue entry; `fn === null` marks it cancelled or fired (lazy deletion). */
class TimerEntry implements TimerHandle {
  at: number
  seq: number
  fn: (() => void) | null
  owner: TimerHeap | null
  /** The lane of its delay, or null for an entry kept in the heap alone. */
  readonly lane: Lane | null

  constructor(at: number, seq: number, fn: () => void, owner: TimerHeap, lane: Lane | null) {
    this.at = at
    this.seq = seq
    this.fn = fn
    this.owner = owner
    this.lane = lane
  }

  cancel(): void {
    if (this.fn === null) return
    this.fn = null
    this.owner?.noteCancelled(this)
    this.owner = null
  }
}

/**
 * The entries of one delay in the order they were armed, which is also their order of expiry (the clock never goes
 * back): only the first (`current`) sits in the heap, the rest wait here, so arming costs an append, not a sift.
 */
class Lane {
  /** The lane's entry in the heap, or null when the lane is empty. */
  current: TimerEntry | null = null
  items: TimerEntry[] = []
  head = 0
  /** Cancelled entries among items[head..]. */
  dead = 0
}

/** Delays that get a lane of their own; timers of further delays go to the heap alone. */
const MAX_LANES = 64

/**
 * Min-heap ordered by (at, seq) with lazy cancellation and compaction when half the entries are dead. Timers of one
 * delay (a SIP node arms a handful: T1, 64*T1, the call timers) queue in a lane behind the one of them in the heap.
 */
class TimerHeap {
  private heap: TimerEntry[] = []
  private seq = 0
  private dead = 0
  private readonly lanes = new Map<number, Lane>()
  /** Live entries waiting in lanes (not in the heap). */
  private queued = 0

  get live(): number {
    return this.heap.length - this.dead + this.queued
  }

  push(ms: number, at: number, fn: () => void): TimerEntry {
    let lane = this.lanes.get(ms)
    if (lane === undefined && this.lanes.size < MAX_LANES) {
      lane = new Lane()
      this.lanes.set(ms, lane)
    }
    const e = new TimerEntry(at, this.seq++, fn, this, lane ?? null)
    if (lane !== undefined && lane.current !== null) {
      lane.items.push(e)
      this.queued++
      return e
    }
    if (lane !== undefined) lane.current = e
    this.insert(e)
    return e
  }

  noteCancelled(e: TimerEntry): void {
    const lane = e.lane
    if (lane !== null && lane.current !== e) {
      this.queued--
      lane.dead++
      if (lane.dead > 64 && lane.dead * 2 > lane.items.length - lane.head) {
        lane.items = lane.items.slice(lane.head).filter((x) => x.fn !== null)
        lane.head = 0
        lane.dead = 0
      }
      return
    }
    this.dead++
    if (this.dead > 64 && this.dead * 2 > this.heap.length) this.compact()
  }

  /** Earliest live entry, discarding dead ones at the top. */
  peek(): TimerEntry | undefined {
    for (;;) {
      const top = this.heap[0]
      if (top === undefined || top.fn !== null) return top
      this.popTop()
      this.dead--
    }
  }

  /** Removes and returns the earliest live entry if it is due at or before `now`. */
  popDue(now: number): TimerEntry | undefined {
    const top = this.peek()
    if (top === undefined || top.at > now) return undefined
    this.popTop()
    return top
  }

  private insert(e: TimerEntry): void {
    this.heap.push(e)
    this.up(this.heap.length - 1)
  }

  private popTop(): void {
    const top = this.heap[0]
    const last = this.heap.pop()
    if (last !== undefined && this.heap.length > 0) {
      this.heap[0] = last
      this.down(0)
    }
    if (top !== undefined && top.lane !== null) this.promote(top.lane)
  }

  /** The lane's entry left the heap: the next live one of the lane takes its place. */
  private promote(lane: Lane): void {
    const items = lane.items
    let i = lane.head
    while (i < items.length && items[i]!.fn === null) {
      i++
      lane.dead--
    }
    if (i === items.length) {
      lane.current = null
      lane.items = []
      lane.head = 0
      return
    }
    const next = items[i]!
    lane.head = i + 1
    this.queued--
    if (lane.head > 1024 && lane.head * 2 > items.length) {
      lane.items = items.slice(lane.head)
      lane.head = 0
    }
    lane.current = next
    this.insert(next)
  }

  private compact(): void {
    // A lane's dead entry stays: leaving the heap is what brings its lane's next one in.
    this.heap = this.heap.filter((e) => e.fn !== null || (e.lane !== null && e.lane.current === e))
    this.dead = 0
    for (const e of this.heap) if (e.fn === null) this.dead++
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i)
  }

  private less(a: TimerEntry, b: TimerEntry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  private up(i: number): void {
    const h = this.heap
    const e = h[i]!
    while (i > 0) {
      const p = (i - 1) >> 1
      const pe = h[p]!
      if (!this.less(e, pe)) break
      h[i] = pe
      i = p
    }
    h[i] = e
  }

  private down(i: number): void {
    const h = this.heap
    const n = h.length
    const e = h[i]!
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && this.less(h[r]!, h[l]!) ? r : l
      const ce = h[c]!
      if (!this.less(ce, e)) break
      h[i] = ce
      i = c
    }
    h[i] = e
  }
}

/** Runs one due entry, marking it spent first so a cancel() from inside the callback is a no-op. */
function fire(e: TimerEntry): void {
  const fn = e.fn
  e.fn = null
  e.owner = null
  if (fn !== null) fn()
}

function checkDelay(ms: number): void {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new ClockError(`timer delay must be a finite number >= 0, got ${ms}`)
}

/** Options for the real clock. */
export interface SystemClockOptions {
  /** Called when a timer callback throws; the queue keeps running. Default: print to stderr. */
  onError?: (err: unknown) => void
  /** Unref the driving setTimeout so pending SIP timers alone do not keep the process alive (default false). */
  unref?: boolean
}

/** Real clock: all timers share one heap and one armed setTimeout, re-armed only when the head changes. */
export class SystemClock implements Clock {
  private readonly heap = new TimerHeap()
  private readonly onError: (err: unknown) => void
  private readonly unref: boolean
  private armed: NodeJS.Timeout | null = null
  private armedAt = Infinity
  private readonly origin = performance.timeOrigin
  private readonly tick = (): void => this.run()

  constructor(opts: SystemClockOptions = {}) {
    this.onError = opts.onError ?? ((err) => console.error('clock: timer callback threw', err))
    this.unref = opts.unref ?? false
  }

  /** Number of live (not cancelled, not fired) timers. */
  get pending(): number {
    return this.heap.live
  }

  now(): number {
    return this.origin + performance.now()
  }

  after(ms: number, fn: () => void): TimerHandle {
    checkDelay(ms)
    const e = this.heap.push(ms, this.now() + ms, fn)
    if (e.at < this.armedAt) this.arm(e.at)
    return e
  }

  /** Stops the driving setTimeout; pending timers stay queued and resume on the next `after()`. */
  stop(): void {
    if (this.armed !== null) clearTimeout(this.armed)
    this.armed = null
    this.armedAt = Infinity
  }

  private arm(at: number): void {
    if (this.armed !== null) clearTimeout(this.armed)
    this.armedAt = at
    // setTimeout has 1 ms granularity and may fire up to 1 ms early; run() re-arms for the remainder.
    this.armed = setTimeout(this.tick, Math.max(0, Math.ceil(at - this.now())))
    if (this.unref) this.armed.unref()
  }

  private run(): void {
    this.armed = null
    this.armedAt = Infinity
    // Every entry due fires in this one tick (10,000 caps expiring together cost one setTimeout, not 10,000). When the
    // batch runs long, the time is read again so entries that fell due meanwhile join it instead of waiting a new tick.
    let now = this.now()
    for (let round = 0; round < 64; round++) {
      let e = this.heap.popDue(now)
      if (e === undefined) break
      for (; e !== undefined; e = this.heap.popDue(now)) {
        try {
          fire(e)
        } catch (err) {
          this.onError(err)
        }
      }
      now = this.now()
    }
    const next = this.heap.peek()
    if (next !== undefined && next.at < this.armedAt) this.arm(next.at)
  }
}

/** Test clock: time moves only through `advance()`, which fires due timers in (time, scheduling) order. */
export class ManualClock implements Clock {
  private readonly heap = new TimerHeap()
  private current: number

  constructor(startMs = 0) {
    this.current = startMs
  }

  /** Number of live timers. */
  get pending(): number {
    return this.heap.live
  }

  now(): number {
    return this.current
  }

  after(ms: number, fn: () => void): TimerHandle {
    checkDelay(ms)
    return this.heap.push(ms, this.current + ms, fn)
  }

  /** Moves time forward by `ms`, firing every timer due by then (including ones scheduled by fired callbacks). */
  advance(ms: number): void {
    checkDelay(ms)
    const end = this.current + ms
    for (let e = this.heap.popDue(end); e !== undefined; e = this.heap.popDue(end)) {
      this.current = e.at
      fire(e)
    }
    this.current = end
  }

  /** Fires everything due now (zero-delay timers such as loop-transport deliveries) without moving time. */
  flush(): void {
    this.advance(0)
  }

  /** Time of the next live timer, or undefined when none is pending. */
  nextAt(): number | undefined {
    return this.heap.peek()?.at
  }

  /** Advances to the next timer and fires it (and anything due at the same instant); returns false when idle. */
  step(): boolean {
    const at = this.nextAt()
    if (at === undefined) return false
    this.advance(at - this.current)
    return true
  }
}
