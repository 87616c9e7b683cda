// Accounts' rateTableId: POST and PATCH accept an existing rate table, answer 400 naming rateTableId for an unknown one, and null detaches.
import { describe, expect, it } from 'vitest'
import { accountBody, create, rateTableBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('accounts.rateTableId', () => {
  const h = useHarness()

  it('returns 201 and 200 for an existing rate table, and 200 when PATCH sets it back to null', async () => {
    const table = await create(h(), '/v1/rate-tables', rateTableBody())
    const acc = await create(h(), '/v1/accounts', accountBody({ rateTableId: table.id }))
    expect(acc.rateTableId).toBe(table.id)
    const other = await create(h(), '/v1/rate-tables', rateTableBody())
    expect((await h().request('PATCH', `/v1/accounts/${acc.id}`, { body: { rateTableId: other.id } })).body.rateTableId).toBe(other.id)
    expect((await h().request('PATCH', `/v1/accounts/${acc.id}`, { body: { rateTableId: null } })).body.rateTableId).toBeNull()
  })

  it('returns 400 naming rateTableId for an unknown rate table on POST and on PATCH', async () => {
    const res = await h().request('POST', '/v1/accounts', { body: accountBody({ rateTableId: 'rtb_missing' }) })
    expect(res.status).toBe(400)
    expect(res.body.error.issues).toEqual([expect.objectContaining({ path: ['rateTableId'], message: 'no rate table with id rtb_missing' })])
    const acc = await create(h(), '/v1/accounts', accountBody())
    expect((await h().request('PATCH', `/v1/accounts/${acc.id}`, { body: { rateTableId: 'rtb_missing' } })).status).toBe(400)
  })
})
