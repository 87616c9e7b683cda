// A worker's link to the limits its node's primary counts for every worker (line limits, calls per second, account concurrent calls): the ClusterLink that cluster-limits.ts takes through, one IPC round trip per take, batched per event-loop turn.
import type { Metrics, Histogram } from '../lib/metrics.js'
import type { ClusterLink } from '../policy/cluster-limits.js'
import type { SharedHold } from '../shared-state/shared-state.js'
import type { LimitBatch, LimitTake } from './ipc.js'

/**
 * How long takes nothing waits for (counted only) and gives-back may wait for the next message to the primary. Each
 * message wakes the primary and costs both sides a write and a read; a call without limits sends two of each, which
 * flushed per turn made up to four messages per call.
 */
export const RECORD_SPAN_MS = 10

/** A hold the primary knows by its id. */
interface WorkerHold extends SharedHold {
  readonly id: number
}

/**
 * The primary is the node: while it runs it answers every take, so the link is always up and each limit is checked
 * whole (the primary applies a node's share itself while Redis is away). A worker without its primary exits.
 */
export class PrimaryLimitsLink implements ClusterLink {
  readonly up = true
  readonly gen = 0
  readonly rateShare = 1
  private nextId = 1
  private batch: LimitBatch | null = null
  /** A flush at the end of this turn is due (a take waits for its answer). */
  private flushSoon = false
  private timer: NodeJS.Timeout | null = null
  private readonly waiting = new Map<number, { resolve(r: readonly number[] | null): void; t0: number }>()
  private readonly latency: Histogram

  /**
   * `send` posts a batch to the primary (false when the channel is closed). A batch holding a take leaves at the end of
   * its turn; one of counted takes and gives-back only, within `recordSpanMs` (0: at the end of the turn as well).
   */
  constructor(private readonly send: (batch: LimitBatch) => boolean, metrics: Metrics, private readonly recordSpanMs = RECORD_SPAN_MS) {
    this.latency = metrics.histogram('limits_take_seconds', 'Round trip of a take of limits that span calls to the node\'s primary (admission or attempt)', [], [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05])
  }

  hold(): WorkerHold {
    return { gen: 0, confirmed: false, id: this.nextId++ }
  }

  /** Undefined (the local decision stands) when no bucket or limit could refuse it: the primary only counts it then. */
  take(keys: readonly string[], program: readonly number[], hold: SharedHold): Promise<readonly number[] | null> | undefined {
    const id = hold.id!
    // No calls-per-second bucket and no limit: nothing to wait for, but the lines count if a limit is set later.
    if (program[0] === 0 && program[1] === 0) {
      hold.confirmed = true
      this.pending(false).records.push([id, keys as string[], program as number[]])
      return undefined
    }
    return new Promise((resolve) => {
      this.waiting.set(id, { resolve, t0: performance.now() })
      this.pending(true).takes.push([id, keys as string[], program as number[]] satisfies LimitTake)
    })
  }

  release(hold: SharedHold): void {
    // A hold the primary refused (or never answered) is not there.
    if (hold.confirmed) this.pending(false).releases.push(hold.id!)
  }

  /** The primary answered takes of this worker. */
  answered(answers: readonly (readonly [number, readonly number[]])[]): void {
    const now = performance.now()
    for (const [id, r] of answers) {
      const w = this.waiting.get(id)
      if (w === undefined) continue
      this.waiting.delete(id)
      this.latency.labels().observe((now - w.t0) / 1000)
      w.resolve(r)
    }
  }

  unsure(): void {}
  fellBack(): void {}
  addSource(): void {}

  lineShare(limit: number): number {
    return limit
  }

  /** The batch being filled; `waited` when what goes in awaits an answer, so the batch leaves at the end of the turn. */
  private pending(waited: boolean): LimitBatch {
    if (this.batch === null) this.batch = { records: [], takes: [], releases: [] }
    if ((waited || this.recordSpanMs === 0) && !this.flushSoon) {
      this.flushSoon = true
      setImmediate(() => this.flush())
    } else if (!this.flushSoon && this.timer === null) {
      this.timer = setTimeout(() => this.flush(), this.recordSpanMs)
      this.timer.unref()
    }
    return this.batch
  }

  private flush(): void {
    const b = this.batch
    this.batch = null
    this.flushSoon = false
    if (this.timer !== null) {
      clearTimeout(this.timer)
      this.timer = null
    }
    if (b === null || this.send(b)) return
    // No primary: decide on this worker's own counts (the worker is about to exit).
    for (const [id] of b.takes) {
      this.waiting.get(id)?.resolve(null)
      this.waiting.delete(id)
    }
  }
}
