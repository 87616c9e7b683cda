// Covers the rate book: longest prefix per rate table, the latest effective-from in effect, a future rate taking over at its time.
import { describe, expect, it } from 'vitest'
import { rateCreate, rateToRow, type RateRow } from '../entities/rate.js'
import { RateBook } from './rate-book.js'

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
})
