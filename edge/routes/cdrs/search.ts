// GET /v1/cdrs: every documented filter (docs/api.md "Queries"), newest first with a (startedAt, id) keyset cursor; `Accept: text/csv` or `format=csv` streams CSV.
import { z } from 'zod'
import { cdrQuery, decodeCdrCursor, encodeCdrCursor } from '../../../shared/entities/cdr-query.js'
import { cdr, cdrFromRow } from '../../../shared/entities/cdr.js'
import { cdrCsvStream } from '../../cdr/csv.js'
import { chooseCdrPlan, fetchCdrPage } from '../../cdr/query.js'
import { defineOperation } from '../../openapi/operation.js'
import { pageOf } from '../config-resource.js'

/** The query of GET /v1/cdrs: the shared filters plus the response format. */
export const cdrSearchQuery = cdrQuery.extend({
  format: z.enum(['json', 'csv']).optional().describe('csv streams every matching row (limit ignored); same as Accept: text/csv'),
})

/** True when the client asked for CSV by query or Accept header (an explicit format wins). */
export function wantsCsv(format: 'json' | 'csv' | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === 'csv'
  return accept !== undefined && /\btext\/csv\b/i.test(accept)
}

/** The search operation of /v1/cdrs. */
export const searchCdrs = defineOperation(
  {
    method: 'get',
    path: '/',
    operationId: 'searchCdrs',
    summary: 'Search CDRs newest first (caller/callee match a prefix); CSV export with Accept: text/csv or format=csv',
    query: cdrSearchQuery,
    responses: {
      200: {
        description: 'a page of CDRs, or the whole result as RFC 4180 CSV with a header row',
        schema: pageOf(cdr),
        alsoServes: { 'text/csv': { type: 'string' } },
      },
    },
  },
  async (c, { query }) => {
    const { limit, cursor: cursorText, format, ...filters } = query
    const cursor = cursorText === undefined ? null : decodeCdrCursor(cursorText)
    const plan = await chooseCdrPlan(c.var.db, filters)
    if (wantsCsv(format, c.req.header('accept'))) {
      return new Response(cdrCsvStream(c.var.db, filters, { plan, cursor }), {
        headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="cdrs.csv"' },
      })
    }
    const page = await fetchCdrPage(c.var.db, filters, { limit, cursor, plan })
    return c.json({ items: page.rows.map(cdrFromRow), nextCursor: page.next === null ? null : encodeCdrCursor(page.next) })
  },
)
