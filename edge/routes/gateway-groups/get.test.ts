// GET /v1/gateway-groups/{id}: reading a group with its calendar back, and 404 for an unknown id.
import { describe, expect, it } from 'vitest'
import { create, gatewayGroupBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/gateway-groups/{id}', () => {
  const h = useHarness()

  it('returns the stored group with its work calendar', async () => {
    const calendar = [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }]
    const made = await create(h(), '/v1/gateway-groups', gatewayGroupBody({ calendar }))
    const res = await h().request('GET', `/v1/gateway-groups/${made.id}`)
    expect(res.status).toBe(200)
    expect(res.body).toEqual(made)
    expect(res.body.calendar).toEqual(calendar)
  })

  it('returns 404 for an unknown gateway group id', async () => {
    expect((await h().request('GET', '/v1/gateway-groups/grp_missing')).status).toBe(404)
  })
})
