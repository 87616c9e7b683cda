// Keyset pages of one rate table's rates, ordered by (prefix, effectiveFrom) on the table's unique index, and their cursor.
import { and, asc, eq, sql } from 'drizzle-orm'
import { rates } from '../../shared/db/schema.js'
import type { RateRow } from '../../shared/entities/rate.js'
import type { Queryable } from '../env.js'

/** Position after the last rate of a page. */
export interface RateCursor {
  prefix: string
  effectiveFromMs: number
}

/** Encodes a keyset position as the opaque `nextCursor` (`<prefix>_<effectiveFromMs>`). */
export function encodeRateCursor(c: RateCursor): string {
  return `${c.prefix}_${c.effectiveFromMs}`
}

/** Decodes a `cursor` query value, or returns null when it is malformed. */
export function decodeRateCursor(cursor: string): RateCursor | null {
  const m = /^([0-9*#+]{0,32})_(-?\d{1,15})$/.exec(cursor)
  return m === null || m[1] === undefined || m[2] === undefined ? null : { prefix: m[1], effectiveFromMs: Number(m[2]) }
}

/** One page of rates after `cursor` (limit + 1 read to know whether another page follows). */
export async function fetchRatePage(
  db: Queryable,
  rateTableId: string,
  options: { limit: number; cursor: RateCursor | null },
): Promise<{ rows: RateRow[]; next: RateCursor | null }> {
  const after = options.cursor === null
    ? undefined
    : sql`(${rates.prefix}, ${rates.effectiveFromMs}) > (${options.cursor.prefix}, ${options.cursor.effectiveFromMs})`
  const found = await db
    .select()
    .from(rates)
    .where(and(eq(rates.rateTableId, rateTableId), after))
    .orderBy(asc(rates.prefix), asc(rates.effectiveFromMs))
    .limit(options.limit + 1)
  const rows = found.slice(0, options.limit)
  const last = rows[rows.length - 1]
  const next = found.length > options.limit && last !== undefined ? { prefix: last.prefix, effectiveFromMs: last.effectiveFromMs } : null
  return { rows, next }
}
