// PATCH /v1/rate-tables/{id}/rates/{rateId}: 200 with the merged rate, 400 for bad values, 404 for unknown ids, 409 onto another rate's key.
import { describe, expect, it } from 'vitest'
import { create, rateBody, rateTableBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('PATCH /v1/rate-tables/{id}/rates/{rateId}', () => {
  const h = useHarness()

  it('returns 200 with the changed price and effectiveFrom and the other fields kept', async () => {
    const table = await create(h(), '/v1/rate-tables', rateTableBody())
    const made = await create(h(), `/v1/rate-tables/${table.id}/rates`, rateBody())
    const res = await h().request('PATCH', `/v1/rate-tables/${table.id}/rates/${made.id}`, { body: { pricePerMinute: 0.25, effectiveFrom: '2026-05-01T00:00:00Z' } })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ ...made, pricePerMinute: 0.25, effectiveFrom: '2026-05-01T00:00:00.000Z' })
  })

  it('returns 400 for a 3601 s increment, 404 for an unknown rate and 409 when it would collide with another rate', async () => {
    const table = await create(h(), '/v1/rate-tables', rateTableBody())
    const a = await create(h(), `/v1/rate-tables/${table.id}/rates`, rateBody({ prefix: '1' }))
    const b = await create(h(), `/v1/rate-tables/${table.id}/rates`, rateBody({ prefix: '2' }))
    expect((await h().request('PATCH', `/v1/rate-tables/${table.id}/rates/${a.id}`, { body: { nextIncrementSec: 3601 } })).status).toBe(400)
    expect((await h().request('PATCH', `/v1/rate-tables/${table.id}/rates/rte_missing`, { body: { prefix: '3' } })).status).toBe(404)
    expect((await h().request('PATCH', `/v1/rate-tables/${table.id}/rates/${b.id}`, { body: { prefix: '1' } })).status).toBe(409)
  })
})
