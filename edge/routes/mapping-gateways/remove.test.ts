// DELETE /v1/mapping-gateways/{id}: deletion, unknown ids, and 409 while a group or a routing rule still names the gateway.
import { describe, expect, it } from 'vitest'
import { accountBody, create, gatewayGroupBody, mappingGatewayBody, routingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('DELETE /v1/mapping-gateways/{id}', () => {
  const h = useHarness()

  it('returns 204 and the gateway is gone', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const made = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id))
    expect((await h().request('DELETE', `/v1/mapping-gateways/${made.id}`)).status).toBe(204)
    expect((await h().request('GET', `/v1/mapping-gateways/${made.id}`)).status).toBe(404)
  })

  it('returns 404 for an unknown mapping gateway id', async () => {
    expect((await h().request('DELETE', '/v1/mapping-gateways/mgw_missing')).status).toBe(404)
  })

  it('returns 409 while a routing gateway allow rule names the gateway', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const made = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id))
    const route = await create(h(), '/v1/routing-gateways', routingGatewayBody({ mappingGatewayRule: { mode: 'allow', ids: [made.id] } }))
    const res = await h().request('DELETE', `/v1/mapping-gateways/${made.id}`)
    expect(res.status).toBe(409)
    expect(res.body.error.message).toContain(route.id)
  })

  it('returns 409 while a gateway group reserves lines for the gateway', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const made = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id))
    await create(h(), '/v1/gateway-groups', gatewayGroupBody({ reservedLines: [{ mappingGatewayId: made.id, lines: 2 }] }))
    expect((await h().request('DELETE', `/v1/mapping-gateways/${made.id}`)).status).toBe(409)
  })
})
