// DELETE /v1/gateway-groups/{id}: deletion detaches member routing gateways (they stay, ungrouped); 404 for unknown ids.
import { describe, expect, it } from 'vitest'
import { create, gatewayGroupBody, routingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('DELETE /v1/gateway-groups/{id}', () => {
  const h = useHarness()

  it('returns 204 and leaves its routing gateways in place with groupId null', async () => {
    const group = await create(h(), '/v1/gateway-groups', gatewayGroupBody())
    const route = await create(h(), '/v1/routing-gateways', routingGatewayBody({ groupId: group.id }))
    expect((await h().request('DELETE', `/v1/gateway-groups/${group.id}`)).status).toBe(204)
    const after = await h().request('GET', `/v1/routing-gateways/${route.id}`)
    expect(after.status).toBe(200)
    expect(after.body.groupId).toBeNull()
  })

  it('returns 404 for an unknown gateway group id', async () => {
    expect((await h().request('DELETE', '/v1/gateway-groups/grp_missing')).status).toBe(404)
  })
})
