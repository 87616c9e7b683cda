// GET /v1/accounts/{id}/payments: newest first across keyset pages, only that account's payments, 400 for a bad cursor, 404 for an unknown account.
import { describe, expect, it } from 'vitest'
import { payments } from '../../../shared/db/schema.js'
import { accountBody, create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'
import { decodePaymentCursor, encodePaymentCursor } from './payments-list.js'

describe('GET /v1/accounts/{id}/payments', () => {
  const h = useHarness()

  it('returns the history newest first across pages, without other accounts payments', async () => {
    const acc = await create(h(), '/v1/accounts', accountBody())
    const other = await create(h(), '/v1/accounts', accountBody())
    const row = (id: string, accountId: string, createdAtMs: number) => ({ id, accountId, amount: 1, note: '', balanceAfter: 1, createdAtMs })
    await h().db.insert(payments).values([row('pay_a', acc.id, 1000), row('pay_b', acc.id, 2000), row('pay_c', acc.id, 2000), row('pay_x', other.id, 1500), row('pay_d', acc.id, 3000)])
    const ids: string[] = []
    let cursor: string | null = null
    do {
      const res: { status: number; body: any } = await h().request('GET', `/v1/accounts/${acc.id}/payments?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`, { as: 'viewer' })
      expect(res.status).toBe(200)
      ids.push(...res.body.items.map((p: { id: string }) => p.id))
      cursor = res.body.nextCursor
    } while (cursor !== null)
    expect(ids).toEqual(['pay_d', 'pay_c', 'pay_b', 'pay_a'])
  })

  it('lists a payment made through the API with its balanceAfter', async () => {
    const acc = await create(h(), '/v1/accounts', accountBody({ balance: 1 }))
    const made = await create(h(), `/v1/accounts/${acc.id}/payments`, { amount: 2 })
    expect((await h().request('GET', `/v1/accounts/${acc.id}/payments`)).body).toEqual({ items: [made], nextCursor: null })
  })

  it('returns 400 for a malformed cursor and 404 for an unknown account', async () => {
    const acc = await create(h(), '/v1/accounts', accountBody())
    expect((await h().request('GET', `/v1/accounts/${acc.id}/payments?cursor=nope`)).status).toBe(400)
    expect((await h().request('GET', '/v1/accounts/acc_missing/payments')).status).toBe(404)
  })

  it('round trips its cursor', () => {
    expect(decodePaymentCursor(encodePaymentCursor({ createdAtMs: 5, id: 'pay_01x' }))).toEqual({ createdAtMs: 5, id: 'pay_01x' })
  })
})
