// GET /v1/routing-gateways: keyset pages and read access for viewers.
import { describe, expect, it } from 'vitest'
import { create, routingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/routing-gateways', () => {
  const h = useHarness()

  it('pages through routing gateways in creation order', async () => {
    const made = []
    for (let i = 0; i < 3; i++) made.push(await create(h(), '/v1/routing-gateways', routingGatewayBody()))
    const first = await h().request('GET', '/v1/routing-gateways?limit=1', { as: 'viewer' })
    const rest = await h().request('GET', `/v1/routing-gateways?limit=5&cursor=${first.body.nextCursor}`, { as: 'viewer' })
    expect([...first.body.items, ...rest.body.items].map((g: { id: string }) => g.id)).toEqual(made.map((g) => g.id))
    expect(rest.body.nextCursor).toBeNull()
  })

  it('returns 400 naming limit when limit is not a number', async () => {
    const res = await h().request('GET', '/v1/routing-gateways?limit=many')
    expect(res.status).toBe(400)
    expect(res.body.error.issues[0].path).toEqual(['limit'])
  })
})
