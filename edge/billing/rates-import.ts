// Upserts validated import rows into one rate table by (prefix, effectiveFrom), in chunks that stay under SQLite's parameter limit.
import { count, eq, sql } from 'drizzle-orm'
import { rates } from '../../shared/db/schema.js'
import { rateToRow, type RateCreate } from '../../shared/entities/rate.js'
import type { Queryable } from '../env.js'
import { newId } from '../ids.js'

/** Rows per INSERT: 7 parameters each, far below libSQL's 32,766. */
export const IMPORT_CHUNK_ROWS = 500

/** What an import changed. */
export interface RateImportResult {
  created: number
  updated: number
}

/** Inserts new (prefix, effectiveFrom) pairs and overwrites price and increments of existing ones; call inside the write transaction. */
export async function upsertRates(tx: Queryable, rateTableId: string, input: readonly RateCreate[], nowMs: number): Promise<RateImportResult> {
  const countRows = async () => (await tx.select({ n: count() }).from(rates).where(eq(rates.rateTableId, rateTableId)))[0]?.n ?? 0
  const before = await countRows()
  for (let i = 0; i < input.length; i += IMPORT_CHUNK_ROWS) {
    const chunk = input.slice(i, i + IMPORT_CHUNK_ROWS).map((r) => rateToRow(r, { id: newId('rte', nowMs), rateTableId }))
    await tx
      .insert(rates)
      .values(chunk)
      .onConflictDoUpdate({
        target: [rates.rateTableId, rates.prefix, rates.effectiveFromMs],
        set: {
          pricePerMinute: sql`excluded.${sql.identifier(rates.pricePerMinute.name)}`,
          firstIncrementSec: sql`excluded.${sql.identifier(rates.firstIncrementSec.name)}`,
          nextIncrementSec: sql`excluded.${sql.identifier(rates.nextIncrementSec.name)}`,
        },
      })
  }
  const created = (await countRows()) - before
  return { created, updated: input.length - created }
}
