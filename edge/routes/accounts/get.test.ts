// GET /v1/accounts/{id}: reading one account back, and the 404 body for an unknown id.
import { describe, expect, it } from 'vitest'
import { accountBody, create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/accounts/{id}', () => {
  const h = useHarness()

  it('returns the stored account with ISO-8601 times', async () => {
    const made = await create(h(), '/v1/accounts', accountBody({ balance: 12.5, maxCallDurationSec: 600 }))
    const res = await h().request('GET', `/v1/accounts/${made.id}`)
    expect(res.status).toBe(200)
    expect(res.body).toEqual(made)
    expect(res.body).toMatchObject({ balance: 12.5, maxCallDurationSec: 600, rateTableId: null })
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt)
  })

  it('returns 404 for an unknown account id with code, message and requestId', async () => {
    const res = await h().request('GET', '/v1/accounts/acc_missing')
    expect(res.status).toBe(404)
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('acc_missing') })
    expect(res.body.error.requestId).toEqual(expect.any(String))
  })
})
