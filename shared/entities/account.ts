// Zod schemas, types and row mapping for accounts (docs/api.md /v1/accounts).
import { z } from 'zod'
import type { accounts } from '../db/tables/accounts.js'
import { ACCOUNT_STATUSES, ACCOUNT_TYPES } from './enums.js'
import { entityId, entityName, isoFromMs, isoTime, money, patchSchema } from './fields.js'

/** Row shapes of the `accounts` table. */
export type AccountRow = typeof accounts.$inferSelect
export type AccountInsert = typeof accounts.$inferInsert

const fields = {
  name: entityName,
  type: z.enum(ACCOUNT_TYPES).describe('prepaid: calls stop at balance + overdraft; postpaid: billed later'),
  status: z.enum(ACCOUNT_STATUSES).describe('locked accounts are refused with AccountLocked'),
  balance: money.describe('current balance'),
  overdraftLimit: money.min(0).describe('how far below zero the balance may go'),
  maxCallDurationSec: z.number().int().min(0).max(86_400 * 7).describe('per-call cap in seconds; 0 = system value'),
  rateTableId: entityId.nullable().describe('customer rate table; null = calls are not rated'),
}

/** POST /v1/accounts body. */
export const accountCreate = z.strictObject({
  ...fields,
  type: fields.type.default('prepaid'),
  status: fields.status.default('normal'),
  balance: fields.balance.default(0),
  overdraftLimit: fields.overdraftLimit.default(0),
  maxCallDurationSec: fields.maxCallDurationSec.default(0),
  rateTableId: fields.rateTableId.default(null),
})

const { balance: _balance, ...updatable } = fields

/** The only way a balance moves besides the core's charges (kept in the payment history and the audit trail). */
export const BALANCE_CHANGE_HINT = 'the balance changes only through payments: POST /v1/accounts/{id}/payments (a negative amount is a correction)'

/**
 * PATCH /v1/accounts/{id} body. `balance` is refused with a 400 naming it: a PATCH would overwrite charges the core
 * applied between the operator's read and write.
 */
export const accountUpdate = patchSchema({
  ...updatable,
  balance: z.never({ error: BALANCE_CHANGE_HINT }).describe(`not accepted: ${BALANCE_CHANGE_HINT}`),
})

/** Public JSON shape of an account. */
export const account = z.object({ id: entityId, ...fields, createdAt: isoTime, updatedAt: isoTime })

/** Inferred types of the schemas above. */
export type AccountCreate = z.infer<typeof accountCreate>
export type AccountUpdate = z.infer<typeof accountUpdate>
export type Account = z.infer<typeof account>

/** Maps an `accounts` row to the public JSON shape. */
export function accountFromRow(row: AccountRow): Account {
  const { createdAtMs, updatedAtMs, ...rest } = row
  return { ...rest, createdAt: isoFromMs(createdAtMs), updatedAt: isoFromMs(updatedAtMs) }
}

/** Builds the `accounts` insert row for a validated create body. */
export function accountToRow(input: AccountCreate, ctx: { id: string; nowMs: number }): AccountRow {
  return { id: ctx.id, ...input, createdAtMs: ctx.nowMs, updatedAtMs: ctx.nowMs }
}

/** Builds the `accounts` update set for a validated PATCH body. */
export function accountUpdateToRow(input: AccountUpdate, ctx: { nowMs: number }): Partial<AccountInsert> {
  return { ...input, updatedAtMs: ctx.nowMs }
}
