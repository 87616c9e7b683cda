// GET /v1/mapping-gateways: pages of gateways that never expose passwords or digest hashes.
import { describe, expect, it } from 'vitest'
import { accountBody, create, mappingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/mapping-gateways', () => {
  const h = useHarness()

  it('pages through gateways with limit and nextCursor', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    for (let i = 0; i < 3; i++) await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id))
    const first = await h().request('GET', '/v1/mapping-gateways?limit=2')
    const second = await h().request('GET', `/v1/mapping-gateways?limit=2&cursor=${first.body.nextCursor}`)
    expect(first.body.items).toHaveLength(2)
    expect(second.body).toMatchObject({ items: [expect.any(Object)], nextCursor: null })
  })

  it('never lists a password or hash for password-authenticated gateways', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id, { authMode: 'password', ips: [], username: 'pbx1', password: 's3cret' }))
    const res = await h().request('GET', '/v1/mapping-gateways')
    expect(res.status).toBe(200)
    expect(JSON.stringify(res.body)).not.toContain('s3cret')
    expect(Object.keys(res.body.items[0]).filter((k) => /ha1|realm|password/i.test(k))).toEqual([])
  })
})
