// Pure call rating: the rate that applies to a number (longest prefix, latest effective), billable seconds, cost and affordable talk time.
import { PrefixTrie } from '../routing/prefix-trie.js'

/** What rating needs of a rate; `rates` rows satisfy it. */
export interface RatingRate {
  readonly prefix: string
  readonly pricePerMinute: number
  readonly firstIncrementSec: number
  readonly nextIncrementSec: number
  readonly effectiveFromMs: number
}

/** Prefix lookup over the rates in effect at `builtAtMs`; rebuild it at `validUntilMs`, when a future rate starts. */
export interface RateIndex<R extends RatingRate> {
  readonly builtAtMs: number
  /** Earliest effective-from after `builtAtMs` (the index is stale from then on), or null when no rate lies in the future. */
  readonly validUntilMs: number | null
  readonly trie: PrefixTrie<R>
}

/** Longest talk time `affordableSeconds` ever returns (one year): a free rate or a huge balance never yields Infinity. */
export const MAX_AFFORDABLE_SEC = 366 * 86_400

/** Thrown when rating is asked to use increments or a price the entity schema should have refused. */
export class RatingError extends Error {
  override readonly name = 'RatingError'
}

/** Builds the index: per prefix, the rate with the latest effective-from not after `nowMs` (rates not yet in effect are left out). */
export function buildRateIndex<R extends RatingRate>(rates: readonly R[], nowMs: number): RateIndex<R> {
  const current = new Map<string, R>()
  let validUntilMs: number | null = null
  for (const r of rates) {
    if (r.effectiveFromMs > nowMs) {
      if (validUntilMs === null || r.effectiveFromMs < validUntilMs) validUntilMs = r.effectiveFromMs
      continue
    }
    const held = current.get(r.prefix)
    if (held === undefined || r.effectiveFromMs > held.effectiveFromMs) current.set(r.prefix, r)
  }
  const trie = new PrefixTrie<R>()
  for (const [prefix, r] of current) trie.insert(prefix, r)
  return { builtAtMs: nowMs, validUntilMs, trie }
}

/** The rate of the longest prefix of `number` in the index, or null when no prefix matches (the call has no rate). */
export function findRate<R extends RatingRate>(index: RateIndex<R>, number: string): R | null {
  return index.trie.longest(number)?.[0] ?? null
}

function checkIncrements(first: number, next: number): void {
  if (!(Number.isInteger(first) && first >= 1 && Number.isInteger(next) && next >= 1)) {
    throw new RatingError(`billing increments must be integers >= 1, got ${first}/${next}`)
  }
}

/** Seconds billed for a talk time: 0 for 0, else at least `first`, then whole `next` periods (60/60 bills 61 s as 120). */
export function billableSeconds(durationSec: number, firstIncrementSec: number, nextIncrementSec: number): number {
  checkIncrements(firstIncrementSec, nextIncrementSec)
  if (!(durationSec > 0)) return 0
  if (durationSec <= firstIncrementSec) return firstIncrementSec
  return firstIncrementSec + Math.ceil((durationSec - firstIncrementSec) / nextIncrementSec) * nextIncrementSec
}

/** A finite non-negative decimal as integer mantissa and power-of-ten exponent, exactly as JS prints it (0.015 -> 15, 3). */
function decimalOf(value: number): { mantissa: bigint; exponent: number } {
  const [coefficient = '0', exp = '0'] = value.toString().toLowerCase().split('e')
  const [whole = '0', fraction = ''] = coefficient.split('.')
  const exponent = fraction.length - Number(exp)
  const digits = BigInt(whole + fraction)
  return exponent >= 0 ? { mantissa: digits, exponent } : { mantissa: digits * 10n ** BigInt(-exponent), exponent: 0 }
}

/**
 * Cost of `billable` seconds at `pricePerMinute`, rounded half-up to `precision` decimals. Decimal-exact: the price
 * is taken as the decimal JS prints for it, so 0.015/min for 60 s is 0.015, never 0.014999999.
 */
function costOfBillable(billable: number, pricePerMinute: number, precision: number): number {
  const { mantissa, exponent } = decimalOf(pricePerMinute)
  const numerator = mantissa * BigInt(billable) * 10n ** BigInt(precision)
  const denominator = 60n * 10n ** BigInt(exponent)
  const units = (2n * numerator + denominator) / (2n * denominator) // half-up on a non-negative quotient
  return Number(units) / 10 ** precision
}

/** Customer (or vendor) cost of a call: price per minute times billable seconds / 60, rounded half-up to `precision` digits. */
export function callCost(durationSec: number, rate: RatingRate, precision: number): number {
  if (!(Number.isInteger(precision) && precision >= 0 && precision <= 15)) throw new RatingError(`precision must be 0..15, got ${precision}`)
  if (!(Number.isFinite(rate.pricePerMinute) && rate.pricePerMinute >= 0)) throw new RatingError(`price must be finite and >= 0, got ${rate.pricePerMinute}`)
  const billable = billableSeconds(durationSec, rate.firstIncrementSec, rate.nextIncrementSec)
  return billable === 0 ? 0 : costOfBillable(billable, rate.pricePerMinute, precision)
}

/**
 * Longest talk time (on the increment grid first, first+next, ...) whose cost is <= `available`, capped at
 * MAX_AFFORDABLE_SEC; 0 when even the first increment costs more. Costs are rounded as `callCost` rounds them.
 */
export function affordableSeconds(available: number, rate: RatingRate, precision: number): number {
  const { firstIncrementSec: first, nextIncrementSec: next } = rate
  checkIncrements(first, next)
  const fits = (steps: number) => callCost(first + steps * next, rate, precision) <= available
  if (Number.isNaN(available) || first > MAX_AFFORDABLE_SEC || !fits(0)) return 0
  // Binary search for the last affordable step: cost never decreases as steps grow.
  let lo = 0
  let hi = Math.floor((MAX_AFFORDABLE_SEC - first) / next)
  if (fits(hi)) return first + hi * next
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2)
    if (fits(mid)) lo = mid
    else hi = mid
  }
  return first + lo * next
}
