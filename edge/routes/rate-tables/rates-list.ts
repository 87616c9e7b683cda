// GET /v1/rate-tables/{id}/rates: rates by (prefix, effectiveFrom) with a keyset cursor; `Accept: text/csv` or `format=csv` streams the import format.
import { z } from 'zod'
import { rate, rateFromRow } from '../../../shared/entities/rate.js'
import { RATE_CSV_COLUMNS, rateCsvLine } from '../../billing/rates-csv.js'
import { decodeRateCursor, encodeRateCursor, fetchRatePage, type RateCursor } from '../../billing/rates-page.js'
import type { Queryable } from '../../env.js'
import { defineOperation } from '../../openapi/operation.js'
import { idParams, listQuery, pageOf } from '../config-resource.js'
import { wantsCsv } from '../cdrs/search.js'
import { requireRateTable } from './rate-lookup.js'

/** Rows per query while exporting. */
export const RATE_CSV_PAGE_ROWS = 5_000

/** Query of the rate list: page size, cursor and the response format. */
export const rateListQuery = listQuery.extend({
  cursor: z.string().max(200).refine((c) => decodeRateCursor(c) !== null, 'malformed cursor').optional().describe('nextCursor of the previous page'),
  format: z.enum(['json', 'csv']).optional().describe('csv streams every rate (limit ignored) in the import format; same as Accept: text/csv'),
})

/** A byte stream of the CSV header and every rate of the table, one page per pull. */
export function ratesCsvStream(db: Queryable, rateTableId: string, pageRows = RATE_CSV_PAGE_ROWS): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let cursor: RateCursor | null = null
  let headerSent = false
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true
        controller.enqueue(encoder.encode(`${RATE_CSV_COLUMNS.join(',')}\r\n`))
        return
      }
      const page = await fetchRatePage(db, rateTableId, { limit: pageRows, cursor })
      if (page.rows.length > 0) controller.enqueue(encoder.encode(page.rows.map(rateCsvLine).join('')))
      if (page.next === null) controller.close()
      cursor = page.next
    },
  })
}

/** The list (and CSV export) operation of /v1/rate-tables/{id}/rates. */
export const listRates = defineOperation(
  {
    method: 'get',
    path: '/:id/rates',
    operationId: 'listRates',
    summary: 'List the rates of a rate table by prefix and effectiveFrom; CSV export with Accept: text/csv or format=csv',
    params: idParams,
    query: rateListQuery,
    responses: {
      200: { description: 'a page of rates, or all of them as CSV with the import header', schema: pageOf(rate), alsoServes: { 'text/csv': { type: 'string' } } },
    },
  },
  async (c, { params, query }) => {
    await requireRateTable(c.var.db, params.id)
    if (wantsCsv(query.format, c.req.header('accept'))) {
      return new Response(ratesCsvStream(c.var.db, params.id), {
        headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="rates-${params.id}.csv"` },
      })
    }
    const cursor = query.cursor === undefined ? null : decodeRateCursor(query.cursor)
    const page = await fetchRatePage(c.var.db, params.id, { limit: query.limit, cursor })
    return c.json({ items: page.rows.map(rateFromRow), nextCursor: page.next === null ? null : encodeRateCursor(page.next) })
  },
)
