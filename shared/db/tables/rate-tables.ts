// Drizzle table of rate tables: named price lists that customer and clearing (vendor) accounts point to.
import { sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAtMs, idColumn, updatedAtMs } from '../columns.js'

/** `rate_tables`: one named price list; its prices are rows of `rates`. */
export const rateTables = sqliteTable(
  'rate_tables',
  {
    id: idColumn(),
    name: text('name').notNull(),
    createdAtMs: createdAtMs(),
    updatedAtMs: updatedAtMs(),
  },
  (t) => [uniqueIndex('rate_tables_name_idx').on(t.name)],
)
