// Bulk import and export (JSON and CSV) of a named configuration resource, as two operations built from its descriptor.
import { asc, type InferSelectModel } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import { z } from 'zod'
import { importRows, IMPORT_MODES, MAX_BULK_ROWS, type BulkOptions, type ImportRow } from '../bulk/import.js'
import { csvColumnsOf, entityToCsvLine, rowToBody, type CsvColumn } from '../bulk/csv-columns.js'
import { readBodyText, requireMediaType } from '../body.js'
import { runWrite } from '../config-write.js'
import { parseCsvRecords } from '../csv.js'
import { ApiError, badRequest } from '../errors.js'
import { defineOperation, type Operation } from '../openapi/operation.js'
import type { ConfigResource } from './config-resource.js'
import type { ConfigTable } from './references.js'
import { wantsCsv } from './cdrs/search.js'

/** Largest accepted import body. */
export const MAX_BULK_BYTES = 8 * 1024 * 1024

/** Response of an import. */
export const importResult = z.object({
  total: z.number().int().describe('rows in the request'),
  created: z.array(z.string()).describe('ids of the new resources, in row order'),
  updated: z.array(z.string()).describe('ids of the existing resources an upsert changed'),
})

const columnsCache = new WeakMap<object, CsvColumn[]>()

/** The CSV columns of a resource (derived from its create schema once). */
export function bulkColumns<T extends ConfigTable, Out, C, U>(r: ConfigResource<T, Out, C, U>): CsvColumn[] {
  let columns = columnsCache.get(r)
  if (columns === undefined) columnsCache.set(r, (columns = csvColumnsOf(r.schemas.create)))
  return columns
}

/** Rows of a CSV body: header checked against the columns (plus the export's id), data rows labelled `rows.<n>` (n from 1). */
export function csvImportRows(columns: readonly CsvColumn[], text: string): ImportRow[] {
  const records = parseCsvRecords(text)
  if (!Array.isArray(records)) throw badRequest('the body is not CSV', [{ path: `line.${records.line}`, message: records.error }])
  const [head, ...data] = records
  if (head === undefined) throw badRequest('empty body', [{ path: 'line.1', message: `expected a header naming columns of ${columns.map((c) => c.header).join(',')}` }])
  const header = head.fields.map((f) => f.trim())
  const known = new Set(['id', ...columns.map((c) => c.header)])
  const unknown = header.filter((h) => !known.has(h))
  if (unknown.length > 0 || new Set(header).size !== header.length) {
    throw badRequest('bad CSV header', [{ path: 'line.1', message: `unknown or repeated columns ${unknown.join(',') || '(repeated)'}; known: ${[...known].join(',')}` }])
  }
  if (data.length > MAX_BULK_ROWS) throw new ApiError('BAD_REQUEST', `at most ${MAX_BULK_ROWS} rows per import, got ${data.length}`)
  const ragged = data.flatMap((rec, i) =>
    rec.fields.length === header.length ? [] : [{ path: `rows.${i + 1}`, message: `line ${rec.line}: ${rec.fields.length} fields, the header has ${header.length}` }])
  if (ragged.length > 0) throw badRequest(`${ragged.length} row(s) with the wrong number of fields; nothing was imported`, ragged)
  return data.map((rec, i) => ({ label: `rows.${i + 1}`, body: rowToBody(columns, header, rec.fields) }))
}

/** Rows of a JSON body (`{ items: [...] }` or a bare array), labelled `items.<index>`. */
function jsonImportRows(body: unknown): ImportRow[] {
  const items = Array.isArray(body) ? body : (body as { items?: unknown } | null)?.items
  if (!Array.isArray(items)) throw badRequest('expected { "items": [ ... ] } or an array', [{ path: 'items', message: 'an array of resources is required' }])
  if (items.length > MAX_BULK_ROWS) throw new ApiError('BAD_REQUEST', `at most ${MAX_BULK_ROWS} rows per import, got ${items.length}`)
  return items.map((item, i) => ({ label: `items.${i}`, body: item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : { item } }))
}

/** POST /import: JSON or CSV, all rows valid or nothing written (a 400 names every bad row and its zod issues). */
export function importOperation<T extends ConfigTable, Out, C, U>(r: ConfigResource<T, Out, C, U>, plural: string, options: BulkOptions = {}): Operation {
  const columns = bulkColumns(r)
  const ignored = options.ignoreOnUpdate?.length ? ` On update ${options.ignoreOnUpdate.join(', ')} is ignored.` : ''
  return defineOperation(
    {
      method: 'post',
      path: '/import',
      operationId: `import${plural}`,
      auditAction: 'import',
      summary: `Import ${r.noun}s from JSON or CSV in one transaction: every row valid or nothing is written (400 lists each bad row)`,
      query: z.object({ mode: z.enum(IMPORT_MODES).default('create').describe('create: names must be new; upsert: an existing name changes the fields its row gives') }),
      rawBody: {
        contentType: 'application/json',
        description: `{ "items": [ create bodies ] } (id, createdAt, updatedAt ignored, so an export imports back), or text/csv with a header of ` +
          `${columns.map((c) => c.header).join(',')} (any order, optional id): lists are ;-separated, an empty cell leaves the field out, ` +
          `null clears a nullable field. At most ${MAX_BULK_ROWS} rows; issues are under items.<index> (JSON) or rows.<n> (CSV data row n).${ignored}`,
        schema: { type: 'object', properties: { items: { type: 'array', items: { type: 'object' } } } },
        alsoAccepts: { 'text/csv': { type: 'string' } },
      },
      responses: { 200: { description: 'what the import wrote', schema: importResult } },
    },
    async (c, { query }) => {
      const type = requireMediaType(c, ['application/json', 'text/csv'])
      const text = await readBodyText(c, MAX_BULK_BYTES)
      let rows: ImportRow[]
      if (type === 'text/csv') rows = csvImportRows(columns, text)
      else {
        let body: unknown
        try {
          body = JSON.parse(text)
        } catch (cause) {
          throw new ApiError('BAD_REQUEST', 'request body is not valid JSON', { cause })
        }
        rows = jsonImportRows(body)
      }
      const result = await runWrite(
        c.var.db,
        async (tx, nowMs) => {
          const written = await importRows(r, tx, rows, query.mode, nowMs, options)
          c.var.audit?.record({ resourceId: null, after: { mode: query.mode, ...written } })
          return written
        },
        { configChange: r.configChange ?? true, audit: c.var.audit },
      )
      return c.json(result)
    },
  )
}

/** GET /export: every resource as `{ items }` JSON or as CSV that the import reads back. */
export function exportOperation<T extends ConfigTable, Out, C, U>(r: ConfigResource<T, Out, C, U>, plural: string): Operation {
  const columns = bulkColumns(r)
  return defineOperation(
    {
      method: 'get',
      path: '/export',
      operationId: `export${plural}`,
      summary: `Every ${r.noun} as JSON or CSV (format=csv or Accept: text/csv), in the shape the import reads back`,
      query: z.object({ format: z.enum(['json', 'csv']).optional().describe('csv: the import columns with a leading id') }),
      responses: {
        200: { description: `every ${r.noun}, oldest first`, schema: z.object({ items: z.array(r.schemas.entity) }), alsoServes: { 'text/csv': { type: 'string' } } },
      },
    },
    async (c, { query }) => {
      const rows = (await c.var.db.select().from(r.table as SQLiteTable).orderBy(asc(r.table.id))) as InferSelectModel<T>[]
      const items = rows.map(r.fromRow)
      if (!wantsCsv(query.format, c.req.header('accept'))) return c.json({ items })
      const header = ['id', ...columns.map((col) => col.header)].join(',') + '\r\n'
      const body = header + items.map((item) => entityToCsvLine(columns, item as Record<string, unknown>, true)).join('')
      return c.body(body, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${plural.replace(/[A-Z]/g, (m, i) => (i === 0 ? '' : '-') + m.toLowerCase())}.csv"` })
    },
  )
}
