// GET /v1/status/gateways: routing-gateway rows of gateway_status in the documented shape, mapping rows left out, several nodes' rows summed.
import { describe, expect, it } from 'vitest'
import { coreNodes, gatewayStatus } from '../../../shared/db/schema.js'
import { useHarness } from '../../test-support/harness.js'

const row = (kind: 'routing' | 'mapping', gatewayId: string, online: boolean) => ({
  kind, gatewayId, online, lastCheckAtMs: Date.UTC(2024, 0, 3, 12), rttMs: 42, lossRatio: 0, lastCode: 200,
  currentCalls: 7, callsPerSec: 1.5, nodeId: 'node-1', updatedAtMs: Date.UTC(2024, 0, 3, 12, 0, 5),
})

describe('GET /v1/status/gateways', () => {
  const h = useHarness()

  it('returns 200 with each routing gateway as last published, for a viewer', async () => {
    await h().db.insert(gatewayStatus).values([row('routing', 'rgw_b', false), row('routing', 'rgw_a', true), row('mapping', 'mgw_a', true)])
    const res = await h().request('GET', '/v1/status/gateways', { as: 'viewer' })
    expect(res.status).toBe(200)
    expect(res.body.items).toEqual([
      { routingGatewayId: 'rgw_a', online: true, lastCheckAt: '2024-01-03T12:00:00.000Z', rttMs: 42, currentCalls: 7, callsPerSec: 1.5, lossRatio: 0, lastCode: 200, updatedAt: '2024-01-03T12:00:05.000Z', registration: null },
      expect.objectContaining({ routingGatewayId: 'rgw_b', online: false }),
    ])
  })

  it('sums the rows of several live nodes into one per gateway and leaves out a node that stopped publishing', async () => {
    const now = Date.now()
    const node = (nodeId: string, publishedAtMs: number) => ({ nodeId, publishedAtMs, publishPeriodMs: 1000, activeCalls: 0, draining: false, startedAtMs: publishedAtMs - 60_000 })
    await h().db.insert(coreNodes).values([node('node-1', now), node('node-2', now), node('node-dead', now - 600_000)])
    await h().db.insert(gatewayStatus).values([
      { ...row('routing', 'rgw_a', false), nodeId: 'node-1', currentCalls: 3, callsPerSec: 1, lastCheckAtMs: 1_000, rttMs: 50 },
      { ...row('routing', 'rgw_a', true), nodeId: 'node-2', currentCalls: 4, callsPerSec: 0.5, lastCheckAtMs: 2_000, rttMs: 20, updatedAtMs: 9_000 },
      { ...row('routing', 'rgw_a', true), nodeId: 'node-dead', currentCalls: 100, callsPerSec: 10 },
      { ...row('mapping', 'mgw_a', true), nodeId: 'node-1', currentCalls: 2 },
      { ...row('mapping', 'mgw_a', true), nodeId: 'node-2', currentCalls: 5 },
    ])
    const routing = await h().request('GET', '/v1/status/gateways', { as: 'viewer' })
    expect(routing.body.items).toEqual([expect.objectContaining({ routingGatewayId: 'rgw_a', online: true, currentCalls: 7, callsPerSec: 1.5, rttMs: 20 })])
    const mapping = await h().request('GET', '/v1/status/mapping-gateways', { as: 'viewer' })
    expect(mapping.body.items).toEqual([expect.objectContaining({ mappingGatewayId: 'mgw_a', currentCalls: 7 })])
  })

  it('returns 200 with no items before any core has published', async () => {
    expect((await h().request('GET', '/v1/status/gateways')).body).toEqual({ items: [] })
  })

  it('returns 401 without a key', async () => {
    expect((await h().request('GET', '/v1/status/gateways', { as: 'none' })).status).toBe(401)
  })

  it('lists mapping gateways with their current calls and calls per second under /v1/status/mapping-gateways', async () => {
    await h().db.insert(gatewayStatus).values([row('routing', 'rgw_a', true), row('mapping', 'mgw_a', true)])
    const res = await h().request('GET', '/v1/status/mapping-gateways', { as: 'viewer' })
    expect(res.body.items).toEqual([{ mappingGatewayId: 'mgw_a', currentCalls: 7, callsPerSec: 1.5, nodeId: 'node-1', updatedAt: '2024-01-03T12:00:05.000Z', registration: null }])
  })
})
