// GET /v1/accounts/{id}/payments: an account's payment history, newest first, with a (createdAt, id) keyset cursor; 404 for an unknown account.
import { and, desc, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import { payments } from '../../../shared/db/schema.js'
import { payment, paymentFromRow } from '../../../shared/entities/payment.js'
import { defineOperation } from '../../openapi/operation.js'
import { findRow, idParams, listQuery, pageOf } from '../config-resource.js'
import { accountsResource } from './resource.js'

/** Encodes the position after a payment as `<createdAtMs>_<id>`. */
export function encodePaymentCursor(p: { createdAtMs: number; id: string }): string {
  return `${p.createdAtMs}_${p.id}`
}

/** Decodes a payment cursor, or null when it is malformed. */
export function decodePaymentCursor(cursor: string): { createdAtMs: number; id: string } | null {
  const m = /^(\d{1,15})_([A-Za-z0-9_]{1,128})$/.exec(cursor)
  return m === null || m[1] === undefined || m[2] === undefined ? null : { createdAtMs: Number(m[1]), id: m[2] }
}

/** Query of the payment history. */
export const paymentListQuery = listQuery.extend({
  cursor: z.string().max(200).refine((c) => decodePaymentCursor(c) !== null, 'malformed cursor').optional().describe('nextCursor of the previous page'),
})

/** The payment history operation of /v1/accounts. */
export const listPayments = defineOperation(
  {
    method: 'get',
    path: '/:id/payments',
    operationId: 'listPayments',
    summary: "An account's payments, newest first",
    params: idParams,
    query: paymentListQuery,
    responses: { 200: { description: 'a page of payments', schema: pageOf(payment) } },
  },
  async (c, { params, query }) => {
    await findRow(accountsResource, c.var.db, params.id)
    const cursor = query.cursor === undefined ? null : decodePaymentCursor(query.cursor)
    const found = await c.var.db
      .select()
      .from(payments)
      .where(and(
        eq(payments.accountId, params.id),
        cursor === null ? undefined : sql`(${payments.createdAtMs}, ${payments.id}) < (${cursor.createdAtMs}, ${cursor.id})`,
      ))
      .orderBy(desc(payments.createdAtMs), desc(payments.id))
      .limit(query.limit + 1)
    const page = found.slice(0, query.limit)
    const last = page[page.length - 1]
    return c.json({ items: page.map(paymentFromRow), nextCursor: found.length > query.limit && last !== undefined ? encodePaymentCursor(last) : null })
  },
)
