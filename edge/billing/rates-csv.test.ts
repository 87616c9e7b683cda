// Covers the rate CSV format: header rules, per-row issues, the export line and export -> import identity.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseRatesCsv, RATE_CSV_COLUMNS, rateCsvLine } from './rates-csv.js'

describe('parseRatesCsv', () => {
  it('accepts columns in any order, fills empty cells with the defaults and keeps the empty prefix', () => {
    const parsed = parseRatesCsv('pricePerMinute,prefix\n0.5,\n.25,0033\n')
    expect(parsed).toEqual({
      ok: true,
      rows: [
        { line: 2, rate: { prefix: '', pricePerMinute: 0.5, firstIncrementSec: 60, nextIncrementSec: 60, effectiveFrom: '1970-01-01T00:00:00.000Z' } },
        { line: 3, rate: { prefix: '0033', pricePerMinute: 0.25, firstIncrementSec: 60, nextIncrementSec: 60, effectiveFrom: '1970-01-01T00:00:00.000Z' } },
      ],
    })
  })

  it('refuses hex, Infinity-sized and fractional numbers as the schema would', () => {
    const parsed = parseRatesCsv('prefix,pricePerMinute,firstIncrementSec\n1,0x10,60\n2,1e400,60\n3,1,1.5\n')
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.issues.map((i) => i.path)).toEqual(['line.2.pricePerMinute', 'line.3.pricePerMinute', 'line.4.firstIncrementSec'])
  })

  it('treats the same prefix at the same instant written in two offsets as a duplicate', () => {
    const parsed = parseRatesCsv('prefix,pricePerMinute,effectiveFrom\n1,1,2026-01-01T01:00:00+01:00\n1,2,2026-01-01T00:00:00Z\n')
    expect(parsed).toMatchObject({ ok: false, badRows: 1, issues: [{ path: 'line.3', message: 'same prefix and effectiveFrom as line 2' }] })
  })

  it('refuses a duplicated header column', () => {
    expect(parseRatesCsv('prefix,prefix,pricePerMinute\n1,1,1\n')).toMatchObject({ ok: false, issues: [{ path: 'line.1' }] })
  })
})

describe('rateCsvLine', () => {
  it('writes the import columns with ISO effectiveFrom and CRLF', () => {
    const row = { id: 'r', rateTableId: 't', prefix: '0033', pricePerMinute: 0.015, firstIncrementSec: 30, nextIncrementSec: 6, effectiveFromMs: 0 }
    expect(rateCsvLine(row)).toBe('0033,0.015,30,6,1970-01-01T00:00:00.000Z\r\n')
  })
})

describe('export then import', () => {
  it('reads back every valid rate unchanged (any price double, prefixes with * # +, dates before 1970)', () => {
    const arbRate = fc.record({
      prefix: fc.string({ unit: fc.constantFrom(...'0123456789*#+'), maxLength: 12 }),
      pricePerMinute: fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }),
      firstIncrementSec: fc.integer({ min: 1, max: 3600 }),
      nextIncrementSec: fc.integer({ min: 1, max: 3600 }),
      effectiveFromMs: fc.integer({ min: -2e12, max: 4e12 }),
    })
    fc.assert(fc.property(fc.uniqueArray(arbRate, { selector: (r) => `${r.prefix}@${r.effectiveFromMs}`, maxLength: 20 }), (rows) => {
      const csv = RATE_CSV_COLUMNS.join(',') + '\r\n' + rows.map((r) => rateCsvLine({ id: 'x', rateTableId: 't', ...r })).join('')
      const parsed = parseRatesCsv(csv)
      expect(parsed.ok).toBe(true)
      if (!parsed.ok) return
      const { rows: read } = parsed
      expect(read.map(({ rate: { effectiveFrom, ...r } }) => ({ ...r, effectiveFromMs: Date.parse(effectiveFrom) }))).toEqual(rows)
    }))
  })
})
