// GET /v1/gateway-groups: keyset pages of groups.
import { describe, expect, it } from 'vitest'
import { create, gatewayGroupBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/gateway-groups', () => {
  const h = useHarness()

  it('returns every group across two pages', async () => {
    const a = await create(h(), '/v1/gateway-groups', gatewayGroupBody())
    const b = await create(h(), '/v1/gateway-groups', gatewayGroupBody())
    const first = await h().request('GET', '/v1/gateway-groups?limit=1')
    const second = await h().request('GET', `/v1/gateway-groups?limit=1&cursor=${first.body.nextCursor}`)
    expect(first.body.items.map((g: { id: string }) => g.id)).toEqual([a.id])
    expect(second.body.items.map((g: { id: string }) => g.id)).toEqual([b.id])
    expect(second.body.nextCursor).toBeNull()
  })
})
