// DELETE /v1/accounts/{id}: deletion, unknown ids, and the 409 while gateways still reference the account.
import { describe, expect, it } from 'vitest'
import { accountBody, create, mappingGatewayBody, routingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('DELETE /v1/accounts/{id}', () => {
  const h = useHarness()

  it('returns 204, then 404 on read, and bumps the config version', async () => {
    const made = await create(h(), '/v1/accounts', accountBody())
    const before = await h().configVersion()
    expect((await h().request('DELETE', `/v1/accounts/${made.id}`)).status).toBe(204)
    expect((await h().request('GET', `/v1/accounts/${made.id}`)).status).toBe(404)
    expect(await h().configVersion()).toBe(before + 1)
  })

  it('returns 404 for an unknown account id', async () => {
    expect((await h().request('DELETE', '/v1/accounts/acc_missing')).status).toBe(404)
  })

  it('returns 409 naming the mapping gateway that still references the account', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const gateway = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id))
    const res = await h().request('DELETE', `/v1/accounts/${account.id}`)
    expect(res.status).toBe(409)
    expect(res.body.error.message).toContain(gateway.id)
    expect((await h().request('GET', `/v1/accounts/${account.id}`)).status).toBe(200)
  })

  it('returns 409 while a routing gateway uses the account as its clearing account', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    await create(h(), '/v1/routing-gateways', routingGatewayBody({ clearingAccountId: account.id }))
    expect((await h().request('DELETE', `/v1/accounts/${account.id}`)).status).toBe(409)
  })

  it('returns 403 when a viewer deletes an account', async () => {
    const made = await create(h(), '/v1/accounts', accountBody())
    expect((await h().request('DELETE', `/v1/accounts/${made.id}`, { as: 'viewer' })).status).toBe(403)
  })
})
