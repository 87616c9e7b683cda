// Covers ratesMatching on a real migrated libSQL: every rate whose prefix starts the number (including '' and * # +), only from the asked table.
import { describe, expect, it } from 'vitest'
import { rates, rateTables } from '../../shared/db/schema.js'
import { useHarness } from '../test-support/harness.js'
import { ratesMatching } from './rating.js'

describe('ratesMatching', () => {
  const h = useHarness()

  it('returns the rates of the table whose prefix starts the number, at every effective-from', async () => {
    const stamp = { createdAtMs: 0, updatedAtMs: 0 }
    await h().db.insert(rateTables).values([{ id: 't1', name: 'one', ...stamp }, { id: 't2', name: 'two', ...stamp }])
    const rate = (id: string, rateTableId: string, prefix: string, effectiveFromMs = 0) =>
      ({ id, rateTableId, prefix, pricePerMinute: 1, firstIncrementSec: 1, nextIncrementSec: 1, effectiveFromMs })
    await h().db.insert(rates).values([
      rate('a', 't1', ''), rate('b', 't1', '+44'), rate('c', 't1', '+441'), rate('d', 't1', '+441', 5), rate('e', 't1', '+4412'),
      rate('f', 't1', '+45'), rate('g', 't2', '+44'), rate('h', 't1', '*#'),
    ])
    expect((await ratesMatching(h().db, 't1', '+4413')).map((r) => r.id).sort()).toEqual(['a', 'b', 'c', 'd'])
    expect((await ratesMatching(h().db, 't1', '*#1')).map((r) => r.id).sort()).toEqual(['a', 'h'])
  })
})
