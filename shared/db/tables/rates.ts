// Drizzle table of rates: per rate table and dial prefix, a price per minute, billing increments and an effective-from time.
import { sqliteTable, text, integer, real, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { idColumn } from '../columns.js'
import { rateTables } from './rate-tables.js'

/**
 * `rates`: the unique `(rate_table_id, prefix, effective_from_ms)` index is the CSV import's upsert key, keeps one
 * price per prefix and instant (so the rating choice is never ambiguous), and serves the list's keyset order.
 */
export const rates = sqliteTable(
  'rates',
  {
    id: idColumn(),
    rateTableId: text('rate_table_id').notNull().references(() => rateTables.id, { onDelete: 'cascade' }),
    prefix: text('prefix').notNull(), // '' matches every number (the table's default rate)
    pricePerMinute: real('price_per_minute').notNull(),
    firstIncrementSec: integer('first_increment_sec').notNull(),
    nextIncrementSec: integer('next_increment_sec').notNull(),
    effectiveFromMs: integer('effective_from_ms').notNull(),
  },
  (t) => [uniqueIndex('rates_rate_table_id_prefix_effective_from_ms_idx').on(t.rateTableId, t.prefix, t.effectiveFromMs)],
)
