// Drizzle table of payments: every operator balance change of an account, with the balance it left.
import { sqliteTable, text, integer, real, index } from 'drizzle-orm/sqlite-core'
import { createdAtMs, idColumn } from '../columns.js'

/** `payments`: no foreign key on the account, because (like CDRs) money records outlive the configuration rows. */
export const payments = sqliteTable(
  'payments',
  {
    id: idColumn(),
    accountId: text('account_id').notNull(),
    amount: real('amount').notNull(),
    note: text('note').notNull(),
    balanceAfter: real('balance_after').notNull(),
    createdAtMs: createdAtMs(),
  },
  (t) => [index('payments_account_id_created_at_ms_idx').on(t.accountId, t.createdAtMs)],
)
