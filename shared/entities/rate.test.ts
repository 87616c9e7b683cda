// Covers docs/api.md /v1/rate-tables/{id}/rates: prefix alphabet, non-negative finite prices, 1..3600 s increments and ISO effective-from.
import { describe, expect, it } from 'vitest'
import { ALWAYS_EFFECTIVE, rate, rateCreate, rateFromRow, rateToRow, rateUpdate, rateUpdateToRow } from './rate.js'

const issuesOf = (body: unknown) => rateCreate.safeParse(body).error?.issues.map((i) => i.path.join('.')) ?? []

describe('rateCreate', () => {
  it('defaults to 60/60 increments, always in effect', () => {
    expect(rateCreate.parse({ prefix: '0033', pricePerMinute: 0.1 })).toEqual({
      prefix: '0033', pricePerMinute: 0.1, firstIncrementSec: 60, nextIncrementSec: 60, effectiveFrom: ALWAYS_EFFECTIVE,
    })
  })

  it('accepts the empty prefix (the table default rate), * # + and a free rate', () => {
    expect(issuesOf({ prefix: '', pricePerMinute: 0 })).toEqual([])
    expect(issuesOf({ prefix: '+44*#', pricePerMinute: 1, firstIncrementSec: 1, nextIncrementSec: 1 })).toEqual([])
  })

  it.each([
    [{ prefix: '00a3', pricePerMinute: 1 }, 'prefix'],
    [{ prefix: '0033', pricePerMinute: -0.01 }, 'pricePerMinute'],
    [{ prefix: '0033', pricePerMinute: Number.POSITIVE_INFINITY }, 'pricePerMinute'],
    [{ prefix: '0033', pricePerMinute: Number.NaN }, 'pricePerMinute'],
    [{ prefix: '0033', pricePerMinute: 1, firstIncrementSec: 0 }, 'firstIncrementSec'],
    [{ prefix: '0033', pricePerMinute: 1, nextIncrementSec: 3601 }, 'nextIncrementSec'],
    [{ prefix: '0033', pricePerMinute: 1, nextIncrementSec: 1.5 }, 'nextIncrementSec'],
    [{ prefix: '0033', pricePerMinute: 1, effectiveFrom: '2026-01-01' }, 'effectiveFrom'],
    [{ prefix: '0033', pricePerMinute: 1, extra: true }, ''],
  ])('rejects %j at "%s"', (body, path) => {
    expect(issuesOf(body)).toContain(path)
  })
})

describe('rate rows', () => {
  it('stores effectiveFrom as epoch ms and maps back to the public shape', () => {
    const row = rateToRow(rateCreate.parse({ prefix: '49', pricePerMinute: 0.2, effectiveFrom: '2026-03-01T12:00:00+02:00' }), { id: 'r1', rateTableId: 't1' })
    expect(row.effectiveFromMs).toBe(Date.parse('2026-03-01T10:00:00Z'))
    expect(rate.parse(rateFromRow(row))).toEqual({
      id: 'r1', rateTableId: 't1', prefix: '49', pricePerMinute: 0.2, firstIncrementSec: 60, nextIncrementSec: 60, effectiveFrom: '2026-03-01T10:00:00.000Z',
    })
  })

  it('turns a PATCH effectiveFrom into effectiveFromMs and refuses an empty PATCH', () => {
    expect(rateUpdateToRow(rateUpdate.parse({ effectiveFrom: '1970-01-01T00:00:01Z', pricePerMinute: 2 }))).toEqual({ pricePerMinute: 2, effectiveFromMs: 1000 })
    expect(rateUpdate.safeParse({}).success).toBe(false)
  })
})
