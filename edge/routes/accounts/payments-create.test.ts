// POST /v1/accounts/{id}/payments: 201 with balanceAfter, negative corrections, decimal-exact sums, 400 for 0 or bad bodies, 404 for an unknown account, the config-version bump.
import { describe, expect, it } from 'vitest'
import { accountBody, create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('POST /v1/accounts/{id}/payments', () => {
  const h = useHarness()

  it('returns 201 with the payment and balanceAfter, changes the balance and bumps the config version', async () => {
    const acc = await create(h(), '/v1/accounts', accountBody({ balance: 5 }))
    const before = await h().configVersion()
    const res = await h().request('POST', `/v1/accounts/${acc.id}/payments`, { body: { amount: 20, note: 'wire 42' } })
    expect(res.status).toBe(201)
    expect(res.body).toEqual({ id: expect.stringMatching(/^pay_/), accountId: acc.id, amount: 20, note: 'wire 42', balanceAfter: 25, createdAt: expect.any(String) })
    expect((await h().request('GET', `/v1/accounts/${acc.id}`)).body.balance).toBe(25)
    expect(await h().configVersion()).toBe(before + 1)
  })

  it('accepts a negative correction that goes below zero, and keeps decimal sums exact (0.1 + 0.2 = 0.3)', async () => {
    const acc = await create(h(), '/v1/accounts', accountBody({ balance: 0.1 }))
    expect((await h().request('POST', `/v1/accounts/${acc.id}/payments`, { body: { amount: 0.2 } })).body.balanceAfter).toBe(0.3)
    const res = await h().request('POST', `/v1/accounts/${acc.id}/payments`, { body: { amount: -1.3, note: 'refund' } })
    expect(res.status).toBe(201)
    expect(res.body.balanceAfter).toBe(-1)
  })

  it('applies concurrent payments exactly once each', async () => {
    const acc = await create(h(), '/v1/accounts', accountBody())
    const results = await Promise.all(Array.from({ length: 10 }, () => h().request('POST', `/v1/accounts/${acc.id}/payments`, { body: { amount: 1.1 } })))
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201))
    expect(results.map((r) => r.body.balanceAfter).sort((a, b) => a - b)).toEqual([1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7, 8.8, 9.9, 11])
    expect((await h().request('GET', `/v1/accounts/${acc.id}`)).body.balance).toBe(11)
  })

  it('returns 400 for amount 0, a missing amount or an unknown field, and changes nothing', async () => {
    const acc = await create(h(), '/v1/accounts', accountBody({ balance: 3 }))
    for (const body of [{ amount: 0 }, { note: 'x' }, { amount: 1, balance: 9 }]) {
      expect((await h().request('POST', `/v1/accounts/${acc.id}/payments`, { body })).status).toBe(400)
    }
    expect((await h().request('GET', `/v1/accounts/${acc.id}`)).body.balance).toBe(3)
  })

  it('returns 404 for an unknown account and records no payment', async () => {
    const before = await h().configVersion()
    expect((await h().request('POST', '/v1/accounts/acc_missing/payments', { body: { amount: 1 } })).status).toBe(404)
    expect(await h().configVersion()).toBe(before)
  })

  it('returns 403 when a viewer posts a payment', async () => {
    const acc = await create(h(), '/v1/accounts', accountBody())
    expect((await h().request('POST', `/v1/accounts/${acc.id}/payments`, { as: 'viewer', body: { amount: 1 } })).status).toBe(403)
  })
})
