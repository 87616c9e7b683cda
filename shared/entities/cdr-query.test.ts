// Covers docs/api.md "Queries", GET /v1/cdrs: filters, limits and the newest-first keyset cursor on (startedAt, id).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cdrQuery, decodeCdrCursor, encodeCdrCursor, prefixUpperBound } from './cdr-query.js'

describe('cdrQuery', () => {
  it('coerces numeric query strings and defaults the limit to 100', () => {
    expect(cdrQuery.parse({ sipCode: '486', minDurationSec: '10', callee: '0033' })).toEqual({
      sipCode: 486, minDurationSec: 10, callee: '0033', limit: 100,
    })
  })

  it.each([
    [{ callee: '00a' }, 'callee'],
    [{ reason: 'Nope' }, 'reason'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '5000' }, 'limit'],
    [{ from: 'yesterday' }, 'from'],
    [{ from: '2024-01-02T00:00:00Z', to: '2024-01-01T00:00:00Z' }, 'to'],
    [{ cursor: 'garbage' }, 'cursor'],
  ])('rejects %j at %s', (query, path) => {
    expect(cdrQuery.safeParse(query).error?.issues.map((i) => i.path.join('.'))).toContain(path)
  })
})

describe('CDR cursor', () => {
  it('round-trips any position, including ids containing underscores', () => {
    fc.assert(
      fc.property(fc.nat({ max: 4_102_444_800_000 }), fc.string({ minLength: 1, maxLength: 64 }), (startedAtMs, id) => {
        expect(decodeCdrCursor(encodeCdrCursor({ startedAtMs, id }))).toEqual({ startedAtMs, id })
      }),
    )
    expect(decodeCdrCursor('17_cdr_a_b')).toEqual({ startedAtMs: 17, id: 'cdr_a_b' })
  })

  it('returns null for a cursor without a time part', () => {
    expect(decodeCdrCursor('_abc')).toBeNull()
    expect(decodeCdrCursor('abc')).toBeNull()
  })
})

describe('prefixUpperBound', () => {
  it('bounds exactly the numbers that start with the prefix', () => {
    const upper = prefixUpperBound('0033')
    for (const n of ['0033', '00331', '0033999']) expect(n >= '0033' && n < upper).toBe(true)
    for (const n of ['0034', '003', '1']) expect(n >= '0033' && n < upper).toBe(false)
  })
})
