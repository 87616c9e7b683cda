// Zod schemas, types and row mapping for accounts (docs/api.md /v1/accounts).
import { z } from 'zod'
import type { accounts } from '../db/tables/accounts.js'
import { ACCOUNT_STATUSES, ACCOUNT_TYPES } from './enums.js'
import { cpsBurst, cpsLimit, entityId, entityName, isoFromMs, isoTime, money, numberPrefix, patchSchema, uniqueItems } from './fields.js'

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
  cpsLimit: cpsLimit.describe('new calls per second of all the account\'s gateways; the excess gets 503 CpsLimitExceeded; 0 = no limit'),
  cpsBurst,
  maxConcurrentCalls: z.number().int().min(0).max(1_000_000).describe('fraud guard: calls in progress at once; more get 503 AccountConcurrentCallsExceeded; 0 = no cap'),
  dailySpendLimit: money.min(0).describe('fraud guard: once the day\'s calls (SS_TIMEZONE) cost this much, new calls get 403 DailySpendLimitExceeded; 0 = no cap'),
  allowedPrefixes: z.array(numberPrefix).max(10_000).refine(uniqueItems, 'prefixes must be unique')
    .describe('fraud guard: when not empty, only callees starting with one of these; others get 403 DestinationBlocked'),
  blockedPrefixes: z.array(numberPrefix).max(10_000).refine(uniqueItems, 'prefixes must be unique')
    .describe('fraud guard: callees starting with one of these get 403 DestinationBlocked (premium-rate ranges), unless a longer allowed prefix matches'),
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
  cpsLimit: fields.cpsLimit.default(0),
  cpsBurst: fields.cpsBurst.default(0),
  maxConcurrentCalls: fields.maxConcurrentCalls.default(0),
  dailySpendLimit: fields.dailySpendLimit.default(0),
  allowedPrefixes: fields.allowedPrefixes.default([]),
  blockedPrefixes: fields.blockedPrefixes.default([]),
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
