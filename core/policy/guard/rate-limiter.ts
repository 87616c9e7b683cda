// Token buckets per key (pike per source, calls per second per gateway or account), behind an interface a shared store can implement.

/**
 * Rate limits by key. The in-process implementation holds the buckets of this node; one shared across nodes (Redis)
 * can replace it behind the same interface, answering from a local copy so a check stays synchronous.
 */
export interface RateLimiter {
  /** Takes one token from `key`'s bucket (refilled at `ratePerSec`, holding at most `burst`); false when it is empty. */
  take(key: string, nowMs: number, ratePerSec: number, burst: number): boolean
  /** True when `take` would succeed now, without taking. */
  peek(key: string, nowMs: number, ratePerSec: number, burst: number): boolean
  /** Buckets held (bounded). */
  readonly size: number
}

interface Bucket {
  tokens: number
  atMs: number
}

/** Token buckets in a Map; at most `maxKeys` are kept, the least recently used going first, so a flood of sources cannot grow it. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>()

  constructor(private readonly maxKeys = 100_000) {}

  get size(): number {
    return this.buckets.size
  }

  take(key: string, nowMs: number, ratePerSec: number, burst: number): boolean {
    const b = this.refill(key, nowMs, ratePerSec, burst)
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }

  peek(key: string, nowMs: number, ratePerSec: number, burst: number): boolean {
    const b = this.buckets.get(key)
    if (b === undefined) return burst >= 1
    return Math.min(burst, b.tokens + ((nowMs - b.atMs) * ratePerSec) / 1000) >= 1
  }

  private refill(key: string, nowMs: number, ratePerSec: number, burst: number): Bucket {
    let b = this.buckets.get(key)
    if (b === undefined) {
      if (this.buckets.size >= this.maxKeys) this.evict()
      b = { tokens: burst, atMs: nowMs }
    } else {
      // Re-inserted so Map order is least recently used first.
      this.buckets.delete(key)
      if (nowMs > b.atMs) {
        b.tokens = Math.min(burst, b.tokens + ((nowMs - b.atMs) * ratePerSec) / 1000)
        b.atMs = nowMs
      }
    }
    this.buckets.set(key, b)
    return b
  }

  /** Drops the least recently used tenth (a full bucket forgotten is the same as one never seen). */
  private evict(): void {
    let n = Math.max(1, Math.floor(this.maxKeys / 10))
    for (const key of this.buckets.keys()) {
      this.buckets.delete(key)
      if (--n === 0) break
    }
  }
}

/** Bucket size for a rate and a configured burst: 0 means one second's worth (at least one call). */
export function burstOf(ratePerSec: number, burst: number): number {
  return burst > 0 ? burst : Math.max(1, Math.ceil(ratePerSec))
}
