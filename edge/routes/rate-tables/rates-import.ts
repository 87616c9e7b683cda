// POST /v1/rate-tables/{id}/rates/import: a text/csv body of rates, validated row by row and upserted all-or-nothing by (prefix, effectiveFrom).
import { z } from 'zod'
import { RATE_CSV_COLUMNS, MAX_IMPORT_ROWS, parseRatesCsv } from '../../billing/rates-csv.js'
import { upsertRates } from '../../billing/rates-import.js'
import { readBodyText, requireMediaType } from '../../body.js'
import { runWrite } from '../../config-write.js'
import { badRequest } from '../../errors.js'
import { defineOperation } from '../../openapi/operation.js'
import { idParams } from '../config-resource.js'
import { requireRateTable } from './rate-lookup.js'

/** Issues listed in one 400 at most (the message still counts every bad row). */
export const MAX_LISTED_ISSUES = 200

/** Largest accepted body (about 100,000 rows of typical width). */
export const MAX_IMPORT_BYTES = 8 * 1024 * 1024

/** Response of an import. */
export const rateImportResult = z.object({
  total: z.number().int().describe('data rows in the file'),
  created: z.number().int().describe('new (prefix, effectiveFrom) pairs'),
  updated: z.number().int().describe('existing pairs whose price and increments were overwritten'),
})

/** The CSV import operation of /v1/rate-tables/{id}/rates. */
export const importRates = defineOperation(
  {
    method: 'post',
    path: '/:id/rates/import',
    operationId: 'importRates',
    auditAction: 'import',
    summary: 'Import rates from CSV: every row valid or nothing is written (400 lists the bad rows); upsert by (prefix, effectiveFrom)',
    params: idParams,
    rawBody: {
      contentType: 'text/csv',
      description: `RFC 4180 CSV with the header ${RATE_CSV_COLUMNS.join(',')} (prefix and pricePerMinute required; empty cells take the defaults 60, 60, epoch); at most ${MAX_IMPORT_ROWS} rows`,
      schema: { type: 'string' },
    },
    responses: { 200: { description: 'what the import changed', schema: rateImportResult } },
  },
  async (c, { params }) => {
    requireMediaType(c, ['text/csv'])
    await requireRateTable(c.var.db, params.id)
    const text = await readBodyText(c, MAX_IMPORT_BYTES)
    const parsed = parseRatesCsv(text)
    if (!parsed.ok) {
      const listed = parsed.issues.slice(0, MAX_LISTED_ISSUES)
      const more = parsed.issues.length > listed.length ? ` (first ${listed.length} issues listed)` : ''
      throw badRequest(`${parsed.badRows} invalid row(s); nothing was imported${more}`, listed)
    }
    const result = await runWrite(
      c.var.db,
      async (tx, nowMs) => {
        await requireRateTable(tx, params.id)
        return upsertRates(tx, params.id, parsed.rows.map((r) => r.rate), nowMs)
      },
      { configChange: true },
    )
    return c.json({ total: parsed.rows.length, ...result })
  },
)
