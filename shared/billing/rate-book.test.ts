// Covers the rate book: longest prefix per rate table, the latest effective-from in effect, a future rate taking over at its time.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { rateCreate, rateToRow, type RateRow } from '../entities/rate.js'
import { RateBook } from './rate-book.js'
import { buildRateIndex, findRate } from './rating.js'

let seq = 0
function rate(rateTableId: string, prefix: string, pricePerMinute: number, effectiveFrom = '1970-01-01T00:00:00.000Z'): RateRow {
  return rateToRow(rateCreate.parse({ prefix, pricePerMinute, effectiveFrom }), { id: `r${++seq}`, rateTableId })
}

const T0 = Date.UTC(2024, 0, 1)

describe('RateBook', () => {
  it('finds the longest prefix of the number within the named rate table only', () => {
    const book = new RateBook([rate('a', '', 1), rate('a', '49', 2), rate('a', '4930', 3), rate('b', '4930123', 9)], T0)
    expect(book.find('a', '4930123', T0)?.pricePerMinute).toBe(3)
    expect(book.find('a', '4940', T0)?.pricePerMinute).toBe(2)
    expect(book.find('a', '33', T0)?.pricePerMinute).toBe(1)
    expect(book.find('b', '33', T0)).toBeNull()
    expect(book.find('missing', '4930123', T0)).toBeNull()
  })

  it('switches to a future rate once its effective-from has come', () => {
    const book = new RateBook([rate('a', '49', 1, '2023-06-01T00:00:00.000Z'), rate('a', '49', 2, '2024-02-01T00:00:00.000Z')], T0)
    expect(book.find('a', '4930', T0)?.pricePerMinute).toBe(1)
    expect(book.find('a', '4930', Date.UTC(2024, 1, 1) - 1)?.pricePerMinute).toBe(1)
    expect(book.find('a', '4930', Date.UTC(2024, 1, 1))?.pricePerMinute).toBe(2)
  })

  it('answers as a fresh longest-prefix index of the table would at every later time (rates taking effect in between), by rate and by price', () => {
    // Twelve tables, so some prefixes are priced by most of them (kept by table key) and others by a few (searched).
    const tables = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l']
    const row = fc.record({
      table: fc.constantFrom(...tables), prefix: fc.stringMatching(/^[0-3]{0,4}$/), price: fc.integer({ min: 0, max: 99 }),
      from: fc.integer({ min: 0, max: 100 }),
    })
    fc.assert(fc.property(fc.array(row, { maxLength: 80 }), fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 6 }), fc.array(fc.stringMatching(/^[0-3]{0,6}$/), { minLength: 1, maxLength: 6 }), (rows, steps, numbers) => {
      const seen = new Set<string>()
      const rates = rows.flatMap((r, i) => {
        const key = `${r.table}|${r.prefix}|${r.from}`
        if (seen.has(key)) return []
        seen.add(key)
        return [{ id: `r${i}`, rateTableId: r.table, prefix: r.prefix, pricePerMinute: r.price, firstIncrementSec: 60, nextIncrementSec: 60, effectiveFromMs: T0 + r.from }]
      })
      const book = new RateBook(rates, T0 + 20)
      let now = T0 + 20
      for (const step of steps) {
        now += step
        for (const table of [...tables, 'missing']) {
          for (const n of numbers) {
            const expected = findRate(buildRateIndex(rates.filter((r) => r.rateTableId === table), now), n)
            expect(book.find(table, n, now)?.id ?? null).toBe(expected?.id ?? null)
            const price = book.findPrice(book.keyOf(table), n, now)
            expect(Number.isNaN(price) ? null : [price, book.pricePrefix]).toEqual(expected === null ? null : [expected.pricePerMinute, expected.prefix])
          }
        }
      }
    }))
  })
})
