// The rates of one configuration, every rate table at once: per prefix the rate each table has in effect, so pricing one number in many vendors' tables costs one walk over its prefixes.
import type { RateRow } from '../entities/rate.js'
import { PrefixTrie, type PrefixMatch } from '../routing/prefix-trie.js'
import type { RatingRate } from './rating.js'

/** A rate the hot path may price with (frozen row of `rates`). */
export type BookRate = Readonly<RateRow>

/** The rates in effect for one prefix: table keys ascending, their prices per minute and their rates at the same positions. */
interface PrefixRates<R> {
  keys: Int32Array
  /** Flat copy of each rate's price, so pricing reads numbers beside the keys instead of one rate object per vendor. */
  prices: Float64Array
  /** For a prefix most tables price (a country code): prices by table key, NaN = none; one load instead of a search. */
  byKey: Float64Array | null
  rates: R[]
  readonly prefix: string
}

/** A prefix priced by at least 1/DENSE_SHARE of the tables keeps its prices by table key too (8 bytes per table). */
const DENSE_SHARE = 4

/** Position of `key` in ascending `keys`, or -1. */
function search(keys: Int32Array, key: number): number {
  let lo = 0
  let hi = keys.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const k = keys[mid]!
    if (k === key) return mid
    if (k < key) lo = mid + 1
    else hi = mid - 1
  }
  return -1
}

/**
 * Per prefix, the rate in effect in each rate table (the latest effective-from not after the time asked), in one digit
 * trie over every table's prefixes. A number is priced by walking its prefixes longest first; the prefixes found for
 * the last number asked are kept, so routing, which prices one number in every candidate vendor's table, walks once per
 * call. Each prefix keeps its tables' keys and copies of their rates in sorted arrays built together, so the vendors of one call
 * are found in a few cache lines (a digit trie per table, or a map of rate objects, cost a cache miss per lookup at 500
 * tables). Rates that take effect later are applied as their time comes, rebuilding only their prefix's arrays.
 */
export class RateBook<R extends RatingRate & { readonly rateTableId: string } = BookRate> {
  private readonly trie = new PrefixTrie<PrefixRates<R>>()
  private readonly byPrefix = new Map<string, PrefixRates<R>>()
  private readonly keys = new Map<string, number>()
  /** Rates not yet in effect at construction, by effective-from. */
  private readonly future: readonly R[]
  private nextFuture = 0
  private chainOf: string | null = null
  /** The entries of chainOf's prefixes in [0, chainLength), longest first; both arrays are reused by every walk. */
  private readonly chain: PrefixRates<R>[] = []
  private chainLength = 0
  private readonly found: PrefixMatch<PrefixRates<R>>[] = []
  private foundPrefix = ''

  /** Indexes `rates` for `nowMs` (the snapshot's load time); later rates wait for their effective-from. */
  constructor(rates: readonly R[], nowMs: number) {
    const future: R[] = []
    const current = new Map<string, Map<number, R>>()
    for (const r of rates) {
      let key = this.keys.get(r.rateTableId)
      if (key === undefined) this.keys.set(r.rateTableId, (key = this.keys.size))
      if (r.effectiveFromMs > nowMs) {
        future.push(r)
        continue
      }
      let tables = current.get(r.prefix)
      if (tables === undefined) current.set(r.prefix, (tables = new Map()))
      const held = tables.get(key)
      if (held === undefined || r.effectiveFromMs > held.effectiveFromMs) tables.set(key, r)
    }
    for (const [prefix, tables] of current) this.setPrefix(prefix, tables)
    this.future = future.sort((a, b) => a.effectiveFromMs - b.effectiveFromMs)
  }

  /** Number of rate tables with at least one rate. */
  get size(): number {
    return this.keys.size
  }

  /** The key `findKey` takes for a rate table, or -1 when it has no rates (resolve it once, e.g. per routing gateway). */
  keyOf(rateTableId: string): number {
    return this.keys.get(rateTableId) ?? -1
  }

  /**
   * The rate of `rateTableId` for `number` at `nowMs` (longest prefix, latest effective-from not in the future), or null
   * when the table has no rate for it (or no rates at all). Times are expected not to go backwards.
   */
  find(rateTableId: string, number: string, nowMs: number): R | null {
    return this.findKey(this.keyOf(rateTableId), number, nowMs)
  }

  /** `find` by the table's key (`keyOf`); -1 finds nothing. */
  findKey(key: number, number: string, nowMs: number): R | null {
    if (key < 0) return null
    if (this.nextFuture < this.future.length && this.future[this.nextFuture]!.effectiveFromMs <= nowMs) this.advance(nowMs)
    const n = number === this.chainOf ? this.chainLength : this.walk(number)
    const chain = this.chain
    for (let i = 0; i < n; i++) {
      const p = chain[i]!
      const at = search(p.keys, key)
      if (at >= 0) return p.rates[at]!
    }
    return null
  }

  /**
   * The price per minute of table `key` for `number` at `nowMs` (as `findKey`'s rate has it), or NaN when none; reads
   * only typed arrays, so routing orders vendors without touching their rate objects. `pricePrefix` then names the
   * prefix of the rate found.
   */
  findPrice(key: number, number: string, nowMs: number): number {
    if (key < 0) return Number.NaN
    if (this.nextFuture < this.future.length && this.future[this.nextFuture]!.effectiveFromMs <= nowMs) this.advance(nowMs)
    const n = number === this.chainOf ? this.chainLength : this.walk(number)
    const chain = this.chain
    for (let i = 0; i < n; i++) {
      const p = chain[i]!
      let price: number
      if (p.byKey !== null) price = p.byKey[key]!
      else {
        const at = search(p.keys, key)
        price = at < 0 ? Number.NaN : p.prices[at]!
      }
      if (!Number.isNaN(price)) {
        this.foundPrefix = p.prefix
        return price
      }
    }
    return Number.NaN
  }

  /** The prefix of the rate the last `findPrice` found (unspecified after one that found none). */
  get pricePrefix(): string {
    return this.foundPrefix
  }

  /** Builds the sorted arrays of one prefix (copies of its rates, allocated together) and puts them in the trie. */
  private setPrefix(prefix: string, tables: ReadonlyMap<number, R>): void {
    const sorted = [...tables].sort((a, b) => a[0] - b[0])
    let byKey: Float64Array | null = null
    if (sorted.length * DENSE_SHARE >= this.keys.size) {
      byKey = new Float64Array(this.keys.size).fill(Number.NaN)
      for (const [k, r] of sorted) byKey[k] = r.pricePerMinute
    }
    const entry: PrefixRates<R> = {
      keys: Int32Array.from(sorted, ([k]) => k), prices: Float64Array.from(sorted, ([, r]) => r.pricePerMinute), byKey,
      rates: sorted.map(([, r]) => ({ ...r })), prefix,
    }
    const held = this.byPrefix.get(prefix)
    if (held !== undefined) {
      // The trie holds this object: change it in place.
      held.keys = entry.keys
      held.prices = entry.prices
      held.byKey = entry.byKey
      held.rates = entry.rates
      return
    }
    this.byPrefix.set(prefix, entry)
    this.trie.insert(prefix, entry)
  }

  /** Applies every rate whose effective-from has come, rebuilding its prefix's arrays. */
  private advance(nowMs: number): void {
    const touched = new Map<string, Map<number, R>>()
    while (this.nextFuture < this.future.length && this.future[this.nextFuture]!.effectiveFromMs <= nowMs) {
      const r = this.future[this.nextFuture++]!
      let tables = touched.get(r.prefix)
      if (tables === undefined) {
        const held = this.byPrefix.get(r.prefix)
        tables = new Map(held === undefined ? [] : Array.from(held.keys, (k, i) => [k, held.rates[i]!] as const))
        touched.set(r.prefix, tables)
      }
      const key = this.keys.get(r.rateTableId)!
      const held = tables.get(key)
      if (held === undefined || r.effectiveFromMs > held.effectiveFromMs) tables.set(key, r)
    }
    for (const [prefix, tables] of touched) this.setPrefix(prefix, tables)
    this.chainOf = null
  }

  /** Puts the entries of every prefix of `number` that has rates in `chain`, longest first; returns how many. */
  private walk(number: string): number {
    const found = this.found
    const n = this.trie.matchesInto(number, found)
    for (let i = 0; i < n; i++) this.chain[i] = found[n - 1 - i]!.values[0]!
    this.chainOf = number
    this.chainLength = n
    return n
  }
}
