// GET /v1/rate-tables/{id}: 200 with the stored table for a viewer, 404 for an unknown id.
import { describe, expect, it } from 'vitest'
import { create, rateTableBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/rate-tables/{id}', () => {
  const h = useHarness()

  it('returns 200 with the stored rate table to a viewer', async () => {
    const made = await create(h(), '/v1/rate-tables', rateTableBody())
    const res = await h().request('GET', `/v1/rate-tables/${made.id}`, { as: 'viewer' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual(made)
  })

  it('returns 404 for an unknown rate table id', async () => {
    const res = await h().request('GET', '/v1/rate-tables/rtb_missing')
    expect(res.status).toBe(404)
    expect(res.body.error.message).toContain('rtb_missing')
  })
})
