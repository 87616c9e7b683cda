// Expiry of the transaction wait states (Timers D, I, J, K, L, M): one FIFO per duration on one clock timer, so a waiting transaction holds no timer entry or closure of its own.
import type { Clock, TimerHandle } from '../../lib/clock.js'

/** A transaction waiting out a fixed span; told once when it is over (it checks its own state). */
export interface Waiter {
  waitOver(): void
}

/** Spans of one length end in the order they began: a queue with a moving head, compacted as it drains. */
class Fifo<T> {
  readonly waiters: T[] = []
  readonly ends: number[] = []
  head = 0
  timer: TimerHandle | null = null
}

/**
 * Wait states of one layer. A call leaves three to four transactions waiting 32 s or 5 s after it ended (RFC 6026
 * accepted, RFC 3261 completed/confirmed); at 2,500 calls/s that is over 200,000 waits. A timer each (entry, closure,
 * context) made them the bulk of the clock's heap and of the GC's marking; here a wait costs two array slots.
 */
export class WaitQueues<T = Waiter> {
  private readonly clock: Clock
  private readonly over: (w: T) => void
  private readonly onError: (err: unknown) => void
  private readonly byMs = new Map<number, Fifo<T>>()

  /** `over` is told of each wait that ran out (for a machine, its `waitOver`; for the layer's records, their key). */
  constructor(clock: Clock, over: (w: T) => void, onError: (err: unknown) => void) {
    this.clock = clock
    this.over = over
    this.onError = onError
  }

  /** Tells `over(w)` once `ms` from now (same-length waits end in the order they began). */
  add(ms: number, w: T): void {
    let q = this.byMs.get(ms)
    if (q === undefined) {
      q = new Fifo<T>()
      this.byMs.set(ms, q)
    }
    q.waiters.push(w)
    q.ends.push(this.clock.now() + ms)
    if (q.timer === null) this.arm(q)
  }

  /** Waits not yet over (tests and the transaction count). */
  get size(): number {
    let n = 0
    for (const q of this.byMs.values()) n += q.waiters.length - q.head
    return n
  }

  private arm(q: Fifo<T>): void {
    const end = q.ends[q.head]!
    q.timer = this.clock.after(Math.max(0, end - this.clock.now()), () => this.run(q))
  }

  private run(q: Fifo<T>): void {
    q.timer = null
    const now = this.clock.now()
    while (q.head < q.waiters.length && q.ends[q.head]! <= now) {
      const w = q.waiters[q.head]!
      q.waiters[q.head] = undefined as unknown as T
      q.head++
      try {
        this.over(w)
      } catch (err) {
        this.onError(err)
      }
    }
    if (q.head === q.waiters.length) {
      q.waiters.length = 0
      q.ends.length = 0
      q.head = 0
    } else {
      if (q.head >= 4096 && q.head * 2 >= q.waiters.length) {
        q.waiters.splice(0, q.head)
        q.ends.splice(0, q.head)
        q.head = 0
      }
      this.arm(q)
    }
  }
}
