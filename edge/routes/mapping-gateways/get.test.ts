// GET /v1/mapping-gateways/{id}: reading one gateway back, and 404 for an unknown id.
import { describe, expect, it } from 'vitest'
import { accountBody, create, mappingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/mapping-gateways/{id}', () => {
  const h = useHarness()

  it('returns the stored gateway', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const made = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id, { authMode: 'ip_port', port: 5080 }))
    const res = await h().request('GET', `/v1/mapping-gateways/${made.id}`, { as: 'viewer' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual(made)
    expect(res.body).toMatchObject({ authMode: 'ip_port', port: 5080, accountId: account.id })
  })

  it('returns 404 for an unknown mapping gateway id', async () => {
    const res = await h().request('GET', '/v1/mapping-gateways/mgw_missing')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('NOT_FOUND')
  })
})
