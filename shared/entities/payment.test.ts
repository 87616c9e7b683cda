// Covers docs/api.md, POST /v1/accounts/{id}/payments: non-zero amounts (negative = correction), an optional note, the balance left.
import { describe, expect, it } from 'vitest'
import { payment, paymentCreate, paymentFromRow, paymentToRow } from './payment.js'

describe('paymentCreate', () => {
  it('accepts a top-up and a negative correction, with an empty note by default', () => {
    expect(paymentCreate.parse({ amount: 25 })).toEqual({ amount: 25, note: '' })
    expect(paymentCreate.parse({ amount: -3.5, note: 'refund' })).toEqual({ amount: -3.5, note: 'refund' })
  })

  it.each([[{ amount: 0 }], [{ amount: '5' }], [{ amount: Number.POSITIVE_INFINITY }], [{ amount: 2e12 }], [{}], [{ amount: 1, note: 'x'.repeat(501) }], [{ amount: 1, balance: 3 }]])(
    'rejects %j',
    (body) => {
      expect(paymentCreate.safeParse(body).success).toBe(false)
    },
  )
})

describe('payment rows', () => {
  it('maps a stored payment to the public shape with balanceAfter and an ISO time', () => {
    const row = paymentToRow({ amount: 10, note: 'wire' }, { id: 'p1', accountId: 'a1', balanceAfter: 12.5, nowMs: 1000 })
    expect(payment.parse(paymentFromRow(row))).toEqual({ id: 'p1', accountId: 'a1', amount: 10, note: 'wire', balanceAfter: 12.5, createdAt: '1970-01-01T00:00:01.000Z' })
  })
})
