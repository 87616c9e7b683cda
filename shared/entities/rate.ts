// Zod schemas, types and row mapping for the rates of a rate table (docs/api.md /v1/rate-tables/{id}/rates).
import { z } from 'zod'
import type { rates } from '../db/tables/rates.js'
import { entityId, isoFromMs, isoTime, numberPrefix, patchSchema } from './fields.js'

/** Row shapes of the `rates` table. */
export type RateRow = typeof rates.$inferSelect
export type RateInsert = typeof rates.$inferInsert

/** Longest billing increment accepted, in seconds. */
export const MAX_INCREMENT_SEC = 3600

/** Effective-from used when a rate is created without one: the epoch, i.e. always in effect. */
export const ALWAYS_EFFECTIVE = '1970-01-01T00:00:00.000Z'

const increment = (what: string) =>
  z.number().int().min(1).max(MAX_INCREMENT_SEC).describe(`${what} billing period in seconds, 1..${MAX_INCREMENT_SEC}`)

const fields = {
  prefix: z.union([z.literal(''), numberPrefix]).describe('dial prefix (digits, *, #, +); longest match wins; "" matches every number'),
  pricePerMinute: z.number().min(0).max(1e6).describe('price per minute, >= 0'),
  firstIncrementSec: increment('first'),
  nextIncrementSec: increment('each following'),
  effectiveFrom: isoTime.describe('in effect from this time; the latest one not in the future applies'),
}

/** POST /v1/rate-tables/{id}/rates body (and one CSV import row). */
export const rateCreate = z.strictObject({
  ...fields,
  firstIncrementSec: fields.firstIncrementSec.default(60),
  nextIncrementSec: fields.nextIncrementSec.default(60),
  effectiveFrom: fields.effectiveFrom.default(ALWAYS_EFFECTIVE),
})

/** PATCH /v1/rate-tables/{id}/rates/{rateId} body. */
export const rateUpdate = patchSchema(fields)

/** Public JSON shape of a rate. */
export const rate = z.object({ id: entityId, rateTableId: entityId, ...fields })

/** Inferred types of the schemas above. */
export type RateCreate = z.infer<typeof rateCreate>
export type RateUpdate = z.infer<typeof rateUpdate>
export type Rate = z.infer<typeof rate>

/** Maps a `rates` row to the public JSON shape. */
export function rateFromRow(row: RateRow): Rate {
  const { effectiveFromMs, ...rest } = row
  return { ...rest, effectiveFrom: isoFromMs(effectiveFromMs) }
}

/** Builds the `rates` insert row for a validated create body. */
export function rateToRow(input: RateCreate, ctx: { id: string; rateTableId: string }): RateRow {
  const { effectiveFrom, ...rest } = input
  return { id: ctx.id, rateTableId: ctx.rateTableId, ...rest, effectiveFromMs: Date.parse(effectiveFrom) }
}

/** Builds the `rates` update set for a validated PATCH body. */
export function rateUpdateToRow(input: RateUpdate): Partial<RateInsert> {
  const { effectiveFrom, ...rest } = input
  return effectiveFrom === undefined ? rest : { ...rest, effectiveFromMs: Date.parse(effectiveFrom) }
}
