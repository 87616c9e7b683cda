// Covers rating: increment rounding, longest-prefix and effective-date rate choice, half-up cost rounding and affordable talk time.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { affordableSeconds, billableSeconds, buildRateIndex, callCost, findRate, MAX_AFFORDABLE_SEC, RatingError, type RatingRate } from './rating.js'

const rate = (over: Partial<RatingRate> & { id?: string } = {}) => ({
  id: 'r', prefix: '', pricePerMinute: 1, firstIncrementSec: 60, nextIncrementSec: 60, effectiveFromMs: 0, ...over,
})

describe('billableSeconds', () => {
  it.each([
    [0, 60, 60, 0], [1, 60, 60, 60], [60, 60, 60, 60], [61, 60, 60, 120], [120, 60, 60, 120], [121, 60, 60, 180],
    [0, 30, 6, 0], [1, 30, 6, 30], [30, 30, 6, 30], [31, 30, 6, 36], [36, 30, 6, 36], [37, 30, 6, 42], [95, 30, 6, 96],
    [0, 1, 1, 0], [1, 1, 1, 1], [59, 1, 1, 59], [3601, 1, 1, 3601],
  ])('bills %i s at %i/%i as %i s', (d, first, next, billed) => {
    expect(billableSeconds(d, first, next)).toBe(billed)
  })

  it('throws RatingError for a zero or fractional increment (a bug: the schema refuses them)', () => {
    expect(() => billableSeconds(10, 0, 60)).toThrow(RatingError)
    expect(() => billableSeconds(10, 60, 1.5)).toThrow(RatingError)
  })

  it('never bills less than the talk time and at most one next period more (after the first)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 3600 }), fc.integer({ min: 1, max: 3600 }), (d, first, next) => {
      const b = billableSeconds(d, first, next)
      expect(b).toBeGreaterThanOrEqual(d)
      expect(b < Math.max(first, d) + next).toBe(true)
      expect(b === first || (b - first) % next === 0).toBe(true)
    }))
  })
})

describe('callCost', () => {
  it('charges price per minute times billable seconds / 60', () => {
    expect(callCost(61, rate({ pricePerMinute: 0.5 }), 4)).toBe(1)
    expect(callCost(31, rate({ pricePerMinute: 0.6, firstIncrementSec: 30, nextIncrementSec: 6 }), 4)).toBe(0.36)
    expect(callCost(0, rate({ pricePerMinute: 9 }), 4)).toBe(0)
  })

  it('rounds half-up on the exact decimal, not on the binary float (0.015 * 1 min -> 0.02 at 2 digits)', () => {
    expect(callCost(60, rate({ pricePerMinute: 0.015 }), 2)).toBe(0.02)
    expect(callCost(60, rate({ pricePerMinute: 1.005 }), 2)).toBe(1.01) // 1.005 * 1 in floats rounds to 1.00
    expect(callCost(60, rate({ pricePerMinute: 0.014 }), 2)).toBe(0.01)
    expect(callCost(1, rate({ pricePerMinute: 0.03, firstIncrementSec: 1, nextIncrementSec: 1 }), 4)).toBe(0.0005)
    expect(callCost(1, rate({ pricePerMinute: 0.03, firstIncrementSec: 1, nextIncrementSec: 1 }), 3)).toBe(0.001)
    expect(callCost(7, rate({ pricePerMinute: 1, firstIncrementSec: 1, nextIncrementSec: 1 }), 0)).toBe(0)
    expect(callCost(60, rate({ pricePerMinute: 2.5e-7 }), 8)).toBe(2.5e-7)
  })

  it('equals the decimal string arithmetic for random prices and durations', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 7200 }), fc.integer({ min: 0, max: 6 }), (milli, d, p) => {
      const price = milli / 1000 // a price with at most 3 decimals
      const billable = billableSeconds(d, 1, 1)
      // exact: milli * billable / (60 * 1000), rounded half-up to p digits, in integers
      const num = BigInt(milli) * BigInt(billable) * 10n ** BigInt(p)
      const den = 60_000n
      const expected = Number((2n * num + den) / (2n * den)) / 10 ** p
      expect(callCost(d, rate({ pricePerMinute: price, firstIncrementSec: 1, nextIncrementSec: 1 }), p)).toBe(expected)
    }))
  })
})

describe('buildRateIndex / findRate', () => {
  const rates = [
    rate({ id: 'any', prefix: '', pricePerMinute: 9 }),
    rate({ id: 'fr', prefix: '0033', pricePerMinute: 0.1 }),
    rate({ id: 'fr-mobile', prefix: '00336', pricePerMinute: 0.2 }),
    rate({ id: 'fr-mobile-old', prefix: '00336', pricePerMinute: 0.3, effectiveFromMs: -1 }),
    rate({ id: 'de-future', prefix: '0049', pricePerMinute: 0.4, effectiveFromMs: 5_000 }),
    rate({ id: 'de-now', prefix: '0049', pricePerMinute: 0.5, effectiveFromMs: 1_000 }),
    rate({ id: 'uk-future', prefix: '0044', effectiveFromMs: 3_000 }),
  ]
  const at = (nowMs: number, n: string) => findRate(buildRateIndex(rates, nowMs), n)?.id ?? null

  it('chooses the longest matching prefix', () => {
    expect(at(2_000, '0033612345')).toBe('fr-mobile')
    expect(at(2_000, '0033112345')).toBe('fr')
    expect(at(2_000, '0081')).toBe('any')
  })

  it('applies the latest rate whose effective-from is not after now, and falls back to a shorter prefix before a rate starts', () => {
    expect(at(999, '00491')).toBe('any')
    expect(at(1_000, '00491')).toBe('de-now')
    expect(at(4_999, '00491')).toBe('de-now')
    expect(at(5_000, '00491')).toBe('de-future')
    expect(at(2_000, '00441')).toBe('any')
  })

  it('reports when the next rate takes effect, so the caller knows to rebuild', () => {
    expect(buildRateIndex(rates, 2_000).validUntilMs).toBe(3_000)
    expect(buildRateIndex(rates, 5_000).validUntilMs).toBeNull()
  })

  it('finds no rate when nothing matches (the call is refused as unrated)', () => {
    expect(findRate(buildRateIndex(rates.filter((r) => r.prefix !== ''), 2_000), '0081')).toBeNull()
    expect(findRate(buildRateIndex([], 0), '0033')).toBeNull()
  })
})

describe('affordableSeconds', () => {
  it.each([
    [1, 60, 60, 4, 60], [0.99, 60, 60, 4, 0], [2.5, 60, 60, 4, 120], [3, 60, 60, 4, 180],
    [0.5, 30, 6, 4, 30], [0.49, 30, 6, 4, 0], [0.6, 30, 6, 4, 36], [0.59, 30, 6, 4, 30],
    [1, 1, 1, 4, 60], [0, 1, 1, 4, 0], [-5, 60, 60, 4, 0],
  ])('affords %d at 1/min with %i/%i increments (precision %i): %i s', (available, first, next, p, secs) => {
    expect(affordableSeconds(available, rate({ firstIncrementSec: first, nextIncrementSec: next }), p)).toBe(secs)
  })

  it('counts costs as they are rounded: at 2 digits the first 0.3 s of a 1/1 0.01/min rate are free', () => {
    // 0.01/min = 0.000166.../s; 30 s cost 0.005 -> 0.01 (half-up), 29 s cost 0.00483 -> 0.00
    expect(affordableSeconds(0, rate({ pricePerMinute: 0.01, firstIncrementSec: 1, nextIncrementSec: 1 }), 2)).toBe(29)
  })

  it('caps a free rate or a huge balance at MAX_AFFORDABLE_SEC instead of Infinity', () => {
    expect(affordableSeconds(0, rate({ pricePerMinute: 0 }), 4)).toBe(MAX_AFFORDABLE_SEC)
    expect(affordableSeconds(1e12, rate(), 4)).toBe(MAX_AFFORDABLE_SEC)
    expect(affordableSeconds(Infinity, rate({ firstIncrementSec: 7, nextIncrementSec: 7 }), 4)).toBeLessThanOrEqual(MAX_AFFORDABLE_SEC)
    expect(affordableSeconds(Number.NaN, rate(), 4)).toBe(0)
  })

  it('stays on the increment grid with cost(affordable) <= money < cost(affordable + next)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 6 }),
      (cents, milliPrice, first, next, p) => {
        const money = cents / 100
        const r = rate({ pricePerMinute: milliPrice / 1000, firstIncrementSec: first, nextIncrementSec: next })
        const secs = affordableSeconds(money, r, p)
        if (secs === 0) {
          expect(callCost(first, r, p)).toBeGreaterThan(money)
          return
        }
        expect((secs - first) % next).toBe(0)
        expect(callCost(secs, r, p)).toBeLessThanOrEqual(money)
        if (secs + next <= MAX_AFFORDABLE_SEC) expect(callCost(secs + next, r, p)).toBeGreaterThan(money)
      },
    ))
  })
})
