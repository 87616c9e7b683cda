// Drizzle table recording which CDRs already moved balances, so a CDR replayed from the journal never charges twice.
import { sqliteTable, text, integer, real } from 'drizzle-orm/sqlite-core'

/**
 * `billed_cdrs`: inserted with ON CONFLICT DO NOTHING in the same transaction as the balance UPDATEs; the balances
 * move only when this insert added a row. No foreign keys: like CDRs, it outlives the accounts it names.
 */
export const billedCdrs = sqliteTable('billed_cdrs', {
  cdrId: text('cdr_id').primaryKey(),
  accountId: text('account_id'),
  amount: real('amount').notNull(), // customer charge taken from accountId
  vendorAccountId: text('vendor_account_id'),
  vendorAmount: real('vendor_amount').notNull(), // vendor cost taken from vendorAccountId (the clearing account)
  appliedAtMs: integer('applied_at_ms').notNull(),
})
