// Zod schemas, types and row mapping for account payments (docs/api.md, POST /v1/accounts/{id}/payments).
import { z } from 'zod'
import type { payments } from '../db/tables/payments.js'
import { entityId, isoFromMs, isoTime, money } from './fields.js'

/** Row shape of the `payments` table. */
export type PaymentRow = typeof payments.$inferSelect

/** POST /v1/accounts/{id}/payments body; a negative amount is a correction (it lowers the balance), zero is refused. */
export const paymentCreate = z.strictObject({
  amount: money.refine((n) => n !== 0, 'amount must not be 0').describe('added to the balance; negative = correction'),
  note: z.string().trim().max(500).default('').describe('free text, e.g. the bank reference'),
})

/** Public JSON shape of a payment. */
export const payment = z.object({
  id: entityId,
  accountId: entityId,
  amount: z.number(),
  note: z.string(),
  balanceAfter: z.number().describe('account balance right after this payment'),
  createdAt: isoTime,
})

/** Inferred types of the schemas above. */
export type PaymentCreate = z.infer<typeof paymentCreate>
export type Payment = z.infer<typeof payment>

/** Maps a `payments` row to the public JSON shape. */
export function paymentFromRow(row: PaymentRow): Payment {
  const { createdAtMs, ...rest } = row
  return { ...rest, createdAt: isoFromMs(createdAtMs) }
}

/** Builds the `payments` insert row once the balance after the change is known. */
export function paymentToRow(input: PaymentCreate, ctx: { id: string; accountId: string; balanceAfter: number; nowMs: number }): PaymentRow {
  return { id: ctx.id, accountId: ctx.accountId, ...input, balanceAfter: ctx.balanceAfter, createdAtMs: ctx.nowMs }
}
