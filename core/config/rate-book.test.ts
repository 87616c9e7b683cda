// Covers the snapshot's rate book (rates as the core reads them): longest prefix per rate table, the latest effective-from in effect, a future rate taking over at its time, invalid rows left out.
import { describe, expect, it } from 'vitest'
import { accountCreate, accountToRow } from '../../shared/entities/account.js'
import { rateCreate, rateToRow, type RateRow } from '../../shared/entities/rate.js'
import { RateBook } from './rate-book.js'
import { buildSnapshot } from './snapshot.js'

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

  it('is built into the snapshot, leaving out a rate row the shared schema refuses', () => {
    const acc = accountToRow(accountCreate.parse({ name: 'acme' }), { id: 'acc1', nowMs: 1 })
    const bad = { ...rate('a', '33', 1), firstIncrementSec: 0 }
    const s = buildSnapshot({ version: 1, loadedAtMs: T0, parameters: [], accounts: [acc], mappingGateways: [], routingGateways: [], gatewayGroups: [], rates: [rate('a', '49', 2), bad] })
    expect(s.rates.find('a', '4930', T0)?.pricePerMinute).toBe(2)
    expect(s.rates.find('a', '3312', T0)).toBeNull()
    expect(s.issues).toEqual([expect.objectContaining({ table: 'rates', id: bad.id, effect: 'excluded' })])
  })
})
