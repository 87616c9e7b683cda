// Zod schemas, types and row mapping for rate tables (docs/api.md /v1/rate-tables).
import { z } from 'zod'
import type { rateTables } from '../db/tables/rate-tables.js'
import { entityId, entityName, isoFromMs, isoTime, patchSchema } from './fields.js'

/** Row shapes of the `rate_tables` table. */
export type RateTableRow = typeof rateTables.$inferSelect
export type RateTableInsert = typeof rateTables.$inferInsert

const fields = { name: entityName }

/** POST /v1/rate-tables body. */
export const rateTableCreate = z.strictObject(fields)

/** PATCH /v1/rate-tables/{id} body. */
export const rateTableUpdate = patchSchema(fields)

/** Public JSON shape of a rate table. */
export const rateTable = z.object({ id: entityId, ...fields, createdAt: isoTime, updatedAt: isoTime })

/** Inferred types of the schemas above. */
export type RateTableCreate = z.infer<typeof rateTableCreate>
export type RateTableUpdate = z.infer<typeof rateTableUpdate>
export type RateTable = z.infer<typeof rateTable>

/** Maps a `rate_tables` row to the public JSON shape. */
export function rateTableFromRow(row: RateTableRow): RateTable {
  const { createdAtMs, updatedAtMs, ...rest } = row
  return { ...rest, createdAt: isoFromMs(createdAtMs), updatedAt: isoFromMs(updatedAtMs) }
}

/** Builds the `rate_tables` insert row for a validated create body. */
export function rateTableToRow(input: RateTableCreate, ctx: { id: string; nowMs: number }): RateTableRow {
  return { id: ctx.id, ...input, createdAtMs: ctx.nowMs, updatedAtMs: ctx.nowMs }
}

/** Builds the `rate_tables` update set for a validated PATCH body. */
export function rateTableUpdateToRow(input: RateTableUpdate, ctx: { nowMs: number }): Partial<RateTableInsert> {
  return { ...input, updatedAtMs: ctx.nowMs }
}
