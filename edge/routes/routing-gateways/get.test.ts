// GET /v1/routing-gateways/{id}: reading one gateway back, and 404 for an unknown id.
import { describe, expect, it } from 'vitest'
import { create, routingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/routing-gateways/{id}', () => {
  const h = useHarness()

  it('returns the stored gateway with its rewrite rules', async () => {
    const made = await create(h(), '/v1/routing-gateways', routingGatewayBody({ calleeRewrite: { strip: 2, add: '0049' } }))
    const res = await h().request('GET', `/v1/routing-gateways/${made.id}`)
    expect(res.status).toBe(200)
    expect(res.body).toEqual(made)
    expect(res.body.calleeRewrite).toEqual({ strip: 2, add: '0049' })
  })

  it('returns 404 for an unknown routing gateway id', async () => {
    const res = await h().request('GET', '/v1/routing-gateways/rgw_missing')
    expect(res.status).toBe(404)
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', requestId: expect.any(String) })
  })
})
