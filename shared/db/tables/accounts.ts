// Drizzle table of customer and clearing (vendor) accounts.
import { real, sqliteTable, text, integer, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAtMs, idColumn, refId, updatedAtMs } from '../columns.js'
import { ACCOUNT_STATUSES, ACCOUNT_TYPES } from '../../entities/enums.js'

/** `accounts`: balance and limits of a customer or vendor clearing account. */
export const accounts = sqliteTable(
  'accounts',
  {
    id: idColumn(),
    name: text('name').notNull(),
    type: text('type', { enum: ACCOUNT_TYPES }).notNull(),
    status: text('status', { enum: ACCOUNT_STATUSES }).notNull(),
    balance: real('balance').notNull(),
    overdraftLimit: real('overdraft_limit').notNull(),
    maxCallDurationSec: integer('max_call_duration_sec').notNull(),
    rateTableId: refId('rate_table_id'),
    createdAtMs: createdAtMs(),
    updatedAtMs: updatedAtMs(),
  },
  (t) => [uniqueIndex('accounts_name_idx').on(t.name)],
)
