// Covers upsertRates on a real migrated libSQL: imports larger than one INSERT chunk, created/updated counts, and updates that keep other tables' rates.
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { rates, rateTables } from '../../shared/db/schema.js'
import { rateCreate } from '../../shared/entities/rate.js'
import { useHarness } from '../test-support/harness.js'
import { IMPORT_CHUNK_ROWS, upsertRates } from './rates-import.js'

describe('upsertRates', () => {
  const h = useHarness()
  const stamp = { createdAtMs: 0, updatedAtMs: 0 }

  it('inserts more rows than one chunk holds, then counts a re-import as updates only', async () => {
    await h().db.insert(rateTables).values([{ id: 't1', name: 'one', ...stamp }, { id: 't2', name: 'two', ...stamp }])
    const n = IMPORT_CHUNK_ROWS * 2 + 7
    const input = Array.from({ length: n }, (_, i) => rateCreate.parse({ prefix: String(1000 + i), pricePerMinute: i / 100 }))
    expect(await upsertRates(h().db, 't1', input, 1)).toEqual({ created: n, updated: 0 })
    expect(await upsertRates(h().db, 't2', input.slice(0, 3), 1)).toEqual({ created: 3, updated: 0 })
    const repriced = input.map((r) => ({ ...r, pricePerMinute: 9 }))
    expect(await upsertRates(h().db, 't1', repriced, 2)).toEqual({ created: 0, updated: n })
    expect(await h().db.$count(rates, eq(rates.pricePerMinute, 9))).toBe(n)
    expect(await h().db.$count(rates, eq(rates.rateTableId, 't2'))).toBe(3)
  })
})
