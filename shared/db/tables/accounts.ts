// Drizzle table of customer and clearing (vendor) accounts.
import { real, sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAtMs, idColumn, jsonText, updatedAtMs } from '../columns.js'
import { rateTables } from './rate-tables.js'
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
    rateTableId: text('rate_table_id').references(() => rateTables.id, { onDelete: 'restrict' }),
    cpsLimit: real('cps_limit').notNull().default(0),
    cpsBurst: integer('cps_burst').notNull().default(0),
    maxConcurrentCalls: integer('max_concurrent_calls').notNull().default(0),
    dailySpendLimit: real('daily_spend_limit').notNull().default(0),
    allowedPrefixes: jsonText<string[]>('allowed_prefixes').notNull().default([]),
    blockedPrefixes: jsonText<string[]>('blocked_prefixes').notNull().default([]),
    createdAtMs: createdAtMs(),
    updatedAtMs: updatedAtMs(),
  },
  (t) => [uniqueIndex('accounts_name_idx').on(t.name), index('accounts_rate_table_id_idx').on(t.rateTableId)],
)
