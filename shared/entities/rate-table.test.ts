// Covers docs/api.md /v1/rate-tables: a rate table is a unique name with creation and update times.
import { describe, expect, it } from 'vitest'
import { rateTable, rateTableCreate, rateTableFromRow, rateTableToRow, rateTableUpdate, rateTableUpdateToRow } from './rate-table.js'

describe('rateTable', () => {
  it('maps a created row to the public shape with ISO times', () => {
    const row = rateTableToRow(rateTableCreate.parse({ name: ' Retail ' }), { id: 't1', nowMs: 0 })
    expect(rateTable.parse(rateTableFromRow(row))).toEqual({ id: 't1', name: 'Retail', createdAt: '1970-01-01T00:00:00.000Z', updatedAt: '1970-01-01T00:00:00.000Z' })
  })

  it('rejects an empty name, unknown keys and an empty PATCH', () => {
    expect(rateTableCreate.safeParse({ name: '' }).success).toBe(false)
    expect(rateTableCreate.safeParse({ name: 'x', rates: [] }).success).toBe(false)
    expect(rateTableUpdate.safeParse({}).success).toBe(false)
  })

  it('stamps updatedAtMs on a PATCH', () => {
    expect(rateTableUpdateToRow({ name: 'Wholesale' }, { nowMs: 5 })).toEqual({ name: 'Wholesale', updatedAtMs: 5 })
  })
})
