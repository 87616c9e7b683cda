// GET /v1/audit: filters (key, resource, id, action, operation, time) and keyset paging newest first; viewers may read it.
import { describe, expect, it } from 'vitest'
import { create, routingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/audit', () => {
  const h = useHarness()

  it('pages newest first with nextCursor until every entry was seen once', async () => {
    const made: string[] = []
    for (let i = 0; i < 5; i++) made.push((await create(h(), '/v1/routing-gateways', routingGatewayBody())).id)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res: any = await h().request('GET', `/v1/audit?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`, { as: 'viewer' })
      expect(res.status).toBe(200)
      seen.push(...res.body.items.map((i: any) => i.resourceId))
      cursor = res.body.nextCursor
    } while (cursor !== null)
    expect(seen).toEqual([...made].reverse())
  })

  it('filters by action, operation, key and time window', async () => {
    const gw = await create(h(), '/v1/routing-gateways', routingGatewayBody())
    await h().request('PATCH', `/v1/routing-gateways/${gw.id}`, { body: { priority: 3 } })
    const all = (await h().request('GET', '/v1/audit')).body.items
    const keyId = all[0].keyId
    const q = async (s: string) => (await h().request('GET', `/v1/audit?${s}`)).body.items.map((i: any) => i.operation)
    expect(await q('action=update')).toEqual(['updateRoutingGateway'])
    expect(await q('operation=createRoutingGateway')).toEqual(['createRoutingGateway'])
    expect(await q(`keyId=${keyId}&resource=routing-gateways`)).toEqual(['updateRoutingGateway', 'createRoutingGateway'])
    expect(await q('keyId=key_nobody')).toEqual([])
    const future = new Date(Date.now() + 60_000).toISOString()
    expect(await q(`from=${future}`)).toEqual([])
    expect(await q(`to=${future}&from=2000-01-01T00:00:00Z`)).toHaveLength(2)
  })

  it('returns 400 for a malformed time', async () => {
    expect((await h().request('GET', '/v1/audit?from=yesterday')).status).toBe(400)
  })
})
