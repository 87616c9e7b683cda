// DELETE /v1/routing-gateways/{id}: deletion with a config-version bump, and 404 for an unknown id.
import { describe, expect, it } from 'vitest'
import { create, routingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('DELETE /v1/routing-gateways/{id}', () => {
  const h = useHarness()

  it('returns 204, removes the gateway and bumps the config version', async () => {
    const made = await create(h(), '/v1/routing-gateways', routingGatewayBody())
    const before = await h().configVersion()
    expect((await h().request('DELETE', `/v1/routing-gateways/${made.id}`)).status).toBe(204)
    expect((await h().request('GET', `/v1/routing-gateways/${made.id}`)).status).toBe(404)
    expect(await h().configVersion()).toBe(before + 1)
  })

  it('returns 404 for an unknown routing gateway id', async () => {
    expect((await h().request('DELETE', '/v1/routing-gateways/rgw_missing')).status).toBe(404)
  })
})
