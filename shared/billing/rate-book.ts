// The rates of one configuration by rate table: a longest-prefix index per table, built once and rebuilt only when a future rate takes effect.
import type { RateRow } from '../entities/rate.js'
import { buildRateIndex, findRate, type RateIndex, type RatingRate } from './rating.js'

/** A rate the hot path may price with (frozen row of `rates`). */
export type BookRate = Readonly<RateRow>

/** Per rate table, its rows and the index for the rates in effect now; lookups are O(number length) and allocate nothing. */
export class RateBook<R extends RatingRate & { readonly rateTableId: string } = BookRate> {
  private readonly rows = new Map<string, R[]>()
  private readonly indexes = new Map<string, RateIndex<R>>()

  /** Groups `rates` by table and indexes each for `nowMs` (the snapshot's load time). */
  constructor(rates: readonly R[], nowMs: number) {
    for (const r of rates) {
      const list = this.rows.get(r.rateTableId)
      if (list === undefined) this.rows.set(r.rateTableId, [r])
      else list.push(r)
    }
    for (const [id, list] of this.rows) this.indexes.set(id, buildRateIndex(list, nowMs))
  }

  /** Number of rate tables with at least one rate. */
  get size(): number {
    return this.rows.size
  }

  /**
   * The rate of `rateTableId` for `number` at `nowMs` (longest prefix, latest effective-from not in the future), or null
   * when the table has no rate for it (or no rates at all). The index is rebuilt once when a future rate starts.
   */
  find(rateTableId: string, number: string, nowMs: number): R | null {
    let index = this.indexes.get(rateTableId)
    if (index === undefined) return null
    if (index.validUntilMs !== null && nowMs >= index.validUntilMs) {
      index = buildRateIndex(this.rows.get(rateTableId)!, nowMs)
      this.indexes.set(rateTableId, index)
    }
    return findRate(index, number)
  }
}
