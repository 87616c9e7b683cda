// Rates as RFC 4180 CSV: parsing an import body row by row with every problem reported, and formatting rows for export.
import { rateCreate, type RateCreate, type RateRow } from '../../shared/entities/rate.js'
import { isoFromMs } from '../../shared/entities/fields.js'
import { csvField, parseCsvRecords } from '../csv.js'

/** Import/export header, in export order; the import requires `prefix` and `pricePerMinute`, the rest default. */
export const RATE_CSV_COLUMNS = ['prefix', 'pricePerMinute', 'firstIncrementSec', 'nextIncrementSec', 'effectiveFrom'] as const
type RateCsvColumn = (typeof RATE_CSV_COLUMNS)[number]

/** Most data rows one import may hold. */
export const MAX_IMPORT_ROWS = 100_000

/** One problem of an import, with its 1-based CSV line (the header is line 1). */
export interface RateCsvIssue {
  path: string
  message: string
}

/** Parse result: every row valid (with its line), or the issues of every bad row. */
export type RateCsvParse = { ok: true; rows: { line: number; rate: RateCreate }[] } | { ok: false; issues: RateCsvIssue[]; badRows: number }

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

/** Parses and validates an import body: header first, then each row with the shared `rateCreate` schema; duplicates are errors. */
export function parseRatesCsv(text: string): RateCsvParse {
  const records = parseCsvRecords(text)
  if (!Array.isArray(records)) return { ok: false, badRows: 1, issues: [{ path: `line.${records.line}`, message: `not CSV: ${records.error}` }] }
  const [head, ...data] = records
  if (head === undefined) return { ok: false, badRows: 0, issues: [{ path: 'line.1', message: `empty body; expected the header ${RATE_CSV_COLUMNS.join(',')}` }] }
  const header = head.fields.map((f) => f.trim())
  const unknown = header.filter((h) => !(RATE_CSV_COLUMNS as readonly string[]).includes(h))
  const missing = (['prefix', 'pricePerMinute'] as const).filter((c) => !header.includes(c))
  if (unknown.length > 0 || missing.length > 0 || new Set(header).size !== header.length) {
    const message = `header must name each of ${RATE_CSV_COLUMNS.join(',')} at most once (prefix and pricePerMinute required)`
    return { ok: false, badRows: 0, issues: [{ path: 'line.1', message: `${message}; got ${header.join(',')}` }] }
  }
  if (data.length > MAX_IMPORT_ROWS) return { ok: false, badRows: 0, issues: [{ path: 'body', message: `at most ${MAX_IMPORT_ROWS} rows per import, got ${data.length}` }] }
  const issues: RateCsvIssue[] = []
  const rows: { line: number; rate: RateCreate }[] = []
  const seen = new Map<string, number>()
  let badRows = 0
  for (const { line, fields } of data) {
    const rowIssues: RateCsvIssue[] = []
    if (fields.length !== header.length) rowIssues.push({ path: `line.${line}`, message: `${fields.length} fields, the header has ${header.length}` })
    const body: Partial<Record<RateCsvColumn, unknown>> = {}
    header.forEach((name, i) => {
      const cell = (fields[i] ?? '').trim()
      const column = name as RateCsvColumn
      // An empty cell is absent (its default applies), except prefix, where '' is the table's default rate.
      if (column === 'prefix') body.prefix = cell
      else if (cell !== '') body[column] = column === 'effectiveFrom' || !DECIMAL.test(cell) ? cell : Number(cell)
    })
    const parsed = rateCreate.safeParse(body)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) rowIssues.push({ path: [`line.${line}`, ...issue.path].join('.'), message: issue.message })
    } else if (rowIssues.length === 0) {
      const key = `${parsed.data.prefix}@${Date.parse(parsed.data.effectiveFrom)}`
      const first = seen.get(key)
      if (first !== undefined) rowIssues.push({ path: `line.${line}`, message: `same prefix and effectiveFrom as line ${first}` })
      else {
        seen.set(key, line)
        rows.push({ line, rate: parsed.data })
      }
    }
    if (rowIssues.length > 0) {
      badRows++
      issues.push(...rowIssues)
    }
  }
  return badRows === 0 ? { ok: true, rows } : { ok: false, issues, badRows }
}

/** One rate as a CRLF-terminated CSV record in RATE_CSV_COLUMNS order (the import reads it back unchanged). */
export function rateCsvLine(row: RateRow): string {
  return [
    csvField(row.prefix), String(row.pricePerMinute), String(row.firstIncrementSec), String(row.nextIncrementSec), isoFromMs(row.effectiveFromMs),
  ].join(',') + '\r\n'
}
