// POST /v1/accounts/{id}/payments: adds the amount to the balance and records the payment in one atomic batch; 201, 400 or 404.
import { eq, sql } from 'drizzle-orm'
import { accounts, payments } from '../../../shared/db/schema.js'
import { payment, paymentCreate, paymentFromRow, type PaymentRow } from '../../../shared/entities/payment.js'
import { bumpConfigVersionQuery } from '../../config-version.js'
import { ApiError } from '../../errors.js'
import { newId } from '../../ids.js'
import { defineOperation } from '../../openapi/operation.js'
import { findRow, idParams } from '../config-resource.js'
import { accountsResource } from './resource.js'

/** Decimals a balance keeps after a payment (the most SERVER_BILLING_FEE_PRECISION allows), so 0.1 + 0.2 stays 0.3. */
export const BALANCE_DECIMALS = 8

/**
 * The payment operation of /v1/accounts. One batch (one implicit transaction, one round trip to a remote libSQL, no
 * interleaving on the embedded file) runs UPDATE ... RETURNING balance, the INSERT of the payment with the balance it
 * left (read by the INSERT ... SELECT, so it is the updated one) and the config-version bump.
 * Decisions: a negative amount is a correction and may take the balance below the overdraft (the operator's call);
 * 0 is refused. The bump is needed because the core's snapshot holds balances: a recharged prepaid account must be
 * able to call again without waiting for another configuration change.
 */
export const createPayment = defineOperation(
  {
    method: 'post',
    path: '/:id/payments',
    operationId: 'createPayment',
    auditAction: 'payment',
    summary: 'Add a payment (or, with a negative amount, a correction) to an account balance; returns it with balanceAfter',
    params: idParams,
    body: paymentCreate,
    responses: { 201: { description: 'the recorded payment and the balance it left', schema: payment } },
  },
  async (c, { params, body }) => {
    const db = c.var.db
    await findRow(accountsResource, db, params.id)
    const nowMs = Date.now()
    const id = newId('pay', nowMs)
    const [changed] = await db.batch([
      db
        .update(accounts)
        .set({ balance: sql`round(${accounts.balance} + ${body.amount}, ${BALANCE_DECIMALS})`, updatedAtMs: nowMs })
        .where(eq(accounts.id, params.id))
        .returning({ balance: accounts.balance }),
      db.insert(payments).select(
        db
          .select({
            id: sql`${id}`.as('id'), accountId: accounts.id, amount: sql`${body.amount}`.as('amount'), note: sql`${body.note}`.as('note'),
            balanceAfter: accounts.balance, createdAtMs: sql`${nowMs}`.as('created_at_ms'),
          })
          .from(accounts)
          .where(eq(accounts.id, params.id)),
      ),
      bumpConfigVersionQuery(db, nowMs),
    ])
    const balanceAfter = changed[0]?.balance
    if (balanceAfter === undefined) throw new ApiError('NOT_FOUND', `no account with id ${params.id}`) // deleted in between
    const row: PaymentRow = { id, accountId: params.id, amount: body.amount, note: body.note, balanceAfter, createdAtMs: nowMs }
    return c.json(paymentFromRow(row), 201)
  },
)
