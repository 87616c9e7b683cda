// PATCH /v1/routing-gateways/{id}: partial updates, validation, references, duplicate names and unknown ids.
import { describe, expect, it } from 'vitest'
import { create, routingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('PATCH /v1/routing-gateways/{id}', () => {
  const h = useHarness()

  it('locks a gateway and keeps the other fields', async () => {
    const made = await create(h(), '/v1/routing-gateways', routingGatewayBody({ priority: 3 }))
    const res = await h().request('PATCH', `/v1/routing-gateways/${made.id}`, { body: { lockType: 'bar_all' } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ lockType: 'bar_all', priority: 3, prefixes: made.prefixes })
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(made.updatedAt))
  })

  it('returns 400 naming stopSwitchingCodes.0 when a code is not a SIP failure', async () => {
    const made = await create(h(), '/v1/routing-gateways', routingGatewayBody())
    const res = await h().request('PATCH', `/v1/routing-gateways/${made.id}`, { body: { stopSwitchingCodes: [200] } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues[0].path).toEqual(['stopSwitchingCodes', 0])
  })

  it('returns 400 naming groupId when the group does not exist', async () => {
    const made = await create(h(), '/v1/routing-gateways', routingGatewayBody())
    const res = await h().request('PATCH', `/v1/routing-gateways/${made.id}`, { body: { groupId: 'grp_missing' } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues[0].path).toEqual(['groupId'])
  })

  it('returns 409 for a duplicate routing gateway name', async () => {
    await create(h(), '/v1/routing-gateways', routingGatewayBody({ name: 'taken' }))
    const made = await create(h(), '/v1/routing-gateways', routingGatewayBody())
    expect((await h().request('PATCH', `/v1/routing-gateways/${made.id}`, { body: { name: 'taken' } })).status).toBe(409)
  })

  it('returns 404 for an unknown routing gateway id', async () => {
    expect((await h().request('PATCH', '/v1/routing-gateways/rgw_missing', { body: { priority: 1 } })).status).toBe(404)
  })
})
