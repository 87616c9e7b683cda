// Sliding windows of events per key (failed authentications per source and per username), behind an interface a shared store can implement.

/** Counts events per key over a sliding window; the in-process implementation can be replaced by a shared one. */
export interface FailureWindow {
  /**
   * Records one event for `key` at `nowMs` and returns how many of the key's events fall within the last `windowMs`
   * (this one included), counting at most `cap` of them (the limit being checked: older ones do not matter).
   */
  hit(key: string, nowMs: number, windowMs: number, cap: number): number
  /** Forgets the key's events (a success clears a source's failures). */
  clear(key: string): void
  /** Keys held (bounded). */
  readonly size: number
}

/** The last `cap` event times per key; at most `maxKeys` keys, the least recently hit going first. */
export class MemoryFailureWindow implements FailureWindow {
  private readonly events = new Map<string, number[]>()

  constructor(private readonly maxKeys = 100_000) {}

  get size(): number {
    return this.events.size
  }

  hit(key: string, nowMs: number, windowMs: number, cap: number): number {
    let times = this.events.get(key)
    if (times === undefined) {
      if (this.events.size >= this.maxKeys) this.evict()
      times = []
    } else {
      this.events.delete(key)
    }
    const from = nowMs - windowMs
    let keep = 0
    while (keep < times.length && times[keep]! <= from) keep++
    if (keep > 0) times.splice(0, keep)
    times.push(nowMs)
    if (times.length > cap) times.splice(0, times.length - cap)
    this.events.set(key, times)
    return times.length
  }

  clear(key: string): void {
    this.events.delete(key)
  }

  private evict(): void {
    let n = Math.max(1, Math.floor(this.maxKeys / 10))
    for (const key of this.events.keys()) {
      this.events.delete(key)
      if (--n === 0) break
    }
  }
}
