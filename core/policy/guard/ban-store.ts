// Automatic bans of source addresses with their repeat count, behind an interface a shared store (Redis) can implement.
import type { ACCESS_REASONS } from '../../../shared/entities/enums.js'

/** Why a core banned a source by itself. */
export type BanReason = Exclude<(typeof ACCESS_REASONS)[number], 'manual'>

/** One automatic ban: active until `untilMs`, remembered until `forgetAtMs` so a repeat lasts longer. */
export interface Ban {
  readonly ip: string
  readonly reason: BanReason
  /** Bans of this source so far, this one included. */
  readonly offences: number
  readonly sinceMs: number
  readonly untilMs: number
  /** After this the source starts again from the first ban's length. */
  readonly forgetAtMs: number
  /** When the ban reached the database (null until then): a later snapshot without it means an operator removed it. */
  persistedAtMs: number | null
}

/**
 * Bans by source IP. The in-process store serves one node; a shared one can replace it, keeping a local copy so
 * `get` stays synchronous on the receive path.
 */
export interface BanStore {
  /** The ban record of the address, active or only remembered; undefined when there is none. */
  get(ip: string, nowMs: number): Ban | undefined
  put(ban: Ban): void
  delete(ip: string): void
  /** Every record, for the gauge and reconciliation with the database. */
  values(): IterableIterator<Ban>
  readonly size: number
}

/** Bans in a Map; records past `forgetAtMs` are dropped on access and by `sweep`, and at most `maxKeys` are kept. */
export class MemoryBanStore implements BanStore {
  private readonly bans = new Map<string, Ban>()

  constructor(private readonly maxKeys = 100_000) {}

  get size(): number {
    return this.bans.size
  }

  get(ip: string, nowMs: number): Ban | undefined {
    const b = this.bans.get(ip)
    if (b !== undefined && b.forgetAtMs <= nowMs) {
      this.bans.delete(ip)
      return undefined
    }
    return b
  }

  put(ban: Ban): void {
    if (!this.bans.has(ban.ip) && this.bans.size >= this.maxKeys) this.sweep(ban.sinceMs, true)
    this.bans.delete(ban.ip)
    this.bans.set(ban.ip, ban)
  }

  delete(ip: string): void {
    this.bans.delete(ip)
  }

  values(): IterableIterator<Ban> {
    return this.bans.values()
  }

  /** Drops forgotten records; when `force`, also the oldest inactive ones (never an active ban) to make room. */
  sweep(nowMs: number, force = false): void {
    for (const [ip, b] of this.bans) if (b.forgetAtMs <= nowMs) this.bans.delete(ip)
    if (!force || this.bans.size < this.maxKeys) return
    for (const [ip, b] of this.bans) {
      if (b.untilMs <= nowMs) this.bans.delete(ip)
      if (this.bans.size < this.maxKeys * 0.9) break
    }
  }
}
