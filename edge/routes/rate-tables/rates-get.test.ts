// GET /v1/rate-tables/{id}/rates/{rateId}: 200 for a rate of the table, 404 for an unknown rate or a rate of another table.
import { describe, expect, it } from 'vitest'
import { create, rateBody, rateTableBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/rate-tables/{id}/rates/{rateId}', () => {
  const h = useHarness()

  it('returns 200 with the rate to a viewer', async () => {
    const table = await create(h(), '/v1/rate-tables', rateTableBody())
    const made = await create(h(), `/v1/rate-tables/${table.id}/rates`, rateBody())
    const res = await h().request('GET', `/v1/rate-tables/${table.id}/rates/${made.id}`, { as: 'viewer' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual(made)
  })

  it('returns 404 for an unknown rate and for a rate asked through another table', async () => {
    const a = await create(h(), '/v1/rate-tables', rateTableBody())
    const b = await create(h(), '/v1/rate-tables', rateTableBody())
    const made = await create(h(), `/v1/rate-tables/${a.id}/rates`, rateBody())
    expect((await h().request('GET', `/v1/rate-tables/${a.id}/rates/rte_missing`)).status).toBe(404)
    expect((await h().request('GET', `/v1/rate-tables/${b.id}/rates/${made.id}`)).status).toBe(404)
  })
})
