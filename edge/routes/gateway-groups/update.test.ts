// PATCH /v1/gateway-groups/{id}: line limit against reserved lines on the merged group, and unknown ids.
import { describe, expect, it } from 'vitest'
import { accountBody, create, gatewayGroupBody, mappingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('PATCH /v1/gateway-groups/{id}', () => {
  const h = useHarness()

  it('raises the line limit', async () => {
    const made = await create(h(), '/v1/gateway-groups', gatewayGroupBody({ lineLimit: 5 }))
    const res = await h().request('PATCH', `/v1/gateway-groups/${made.id}`, { body: { lineLimit: 50 } })
    expect(res.status).toBe(200)
    expect(res.body.lineLimit).toBe(50)
  })

  it('returns 400 naming reservedLines when a lower limit no longer covers the stored reservations', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const ingress = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id))
    const made = await create(h(), '/v1/gateway-groups', gatewayGroupBody({ lineLimit: 10, reservedLines: [{ mappingGatewayId: ingress.id, lines: 8 }] }))
    const res = await h().request('PATCH', `/v1/gateway-groups/${made.id}`, { body: { lineLimit: 4 } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues[0].path).toEqual(['reservedLines'])
  })

  it('returns 404 for an unknown gateway group id', async () => {
    expect((await h().request('PATCH', '/v1/gateway-groups/grp_missing', { body: { lineLimit: 1 } })).status).toBe(404)
  })
})
