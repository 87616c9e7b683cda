// POST /v1/routing-gateways/{id}/network-test and GET .../network-tests/{testId} against the network_tests contract; the core's half (claim, OPTIONS probes, result) is played here by a poller that writes rows the way core/gateway-reports/network-test-runner.ts does and is tested there against the same table.
import { and, eq } from 'drizzle-orm'
import { afterEach, describe, expect, it } from 'vitest'
import { networkTests } from '../../../shared/db/schema.js'
import { create, routingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness, type Harness } from '../../test-support/harness.js'

/** Plays a core: every 20 ms claims pending rows and completes them with `result` (bounded by stop()). */
function fakeCore(h: Harness, result: Partial<typeof networkTests.$inferInsert>) {
  let stopped = false
  const seen: Array<{ host: string; port: number; count: number; intervalMs: number }> = []
  const loop = (async () => {
    for (let i = 0; i < 500 && !stopped; i++) {
      for (const t of await h.db.select().from(networkTests).where(eq(networkTests.status, 'pending'))) {
        const claimed = await h.db.update(networkTests).set({ status: 'running', nodeId: 'core-test', startedAtMs: Date.now() })
          .where(and(eq(networkTests.id, t.id), eq(networkTests.status, 'pending'))).returning()
        if (claimed.length === 0) continue
        seen.push({ host: t.host, port: t.port, count: t.count, intervalMs: t.intervalMs })
        await h.db.update(networkTests).set({ status: 'done', completedAtMs: Date.now(), ...result }).where(eq(networkTests.id, t.id))
      }
      await new Promise((ok) => setTimeout(ok, 20))
    }
  })()
  return { seen, stop: async () => { stopped = true; await loop } }
}

describe('POST /v1/routing-gateways/{id}/network-test', () => {
  const h = useHarness()
  let core: ReturnType<typeof fakeCore> | undefined
  afterEach(async () => {
    await core?.stop()
    core = undefined
  })

  it('returns 200 with { sent, received, lossRatio, rttMs: { min, avg, max } } once a core has run the test on the gateway address', async () => {
    const gw = await create(h(), '/v1/routing-gateways', routingGatewayBody({ host: '192.0.2.44', port: 5080 }))
    core = fakeCore(h(), { sent: 4, received: 3, lossRatio: 0.25, rttMinMs: 10, rttAvgMs: 12, rttMaxMs: 15, lastCode: 200 })
    const res = await h().request('POST', `/v1/routing-gateways/${gw.id}/network-test`, { body: { count: 4, intervalMs: 50 } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ routingGatewayId: gw.id, status: 'done', sent: 4, received: 3, lossRatio: 0.25, rttMs: { min: 10, avg: 12, max: 15 }, lastCode: 200, nodeId: 'core-test' })
    expect(core.seen).toEqual([{ host: '192.0.2.44', port: 5080, count: 4, intervalMs: 50 }])
    const again = await h().request('GET', `/v1/routing-gateways/${gw.id}/network-tests/${res.body.id}`, { as: 'viewer' })
    expect([again.status, again.body]).toEqual([200, res.body])
  })

  it('returns 202 with the pending test when no core finishes it within waitMs, and GET reads it later', async () => {
    const gw = await create(h(), '/v1/routing-gateways', routingGatewayBody())
    const res = await h().request('POST', `/v1/routing-gateways/${gw.id}/network-test`, { body: { waitMs: 150 } })
    expect(res.status).toBe(202)
    expect(res.body).toMatchObject({ status: 'pending', sent: null, rttMs: null, completedAt: null })
    const [row] = await h().db.select().from(networkTests).where(eq(networkTests.id, res.body.id))
    expect(row).toMatchObject({ count: 5, intervalMs: 200 })
  })

  it('returns 404 for an unknown routing gateway id, 400 for more than 20 probes, 403 for a viewer', async () => {
    expect((await h().request('POST', '/v1/routing-gateways/rgw_missing/network-test', { body: {} })).status).toBe(404)
    const gw = await create(h(), '/v1/routing-gateways', routingGatewayBody())
    const bad = await h().request('POST', `/v1/routing-gateways/${gw.id}/network-test`, { body: { count: 21 } })
    expect([bad.status, bad.body.error.code]).toEqual([400, 'BAD_REQUEST'])
    expect((await h().request('POST', `/v1/routing-gateways/${gw.id}/network-test`, { body: {}, as: 'viewer' })).status).toBe(403)
    expect((await h().request('GET', `/v1/routing-gateways/${gw.id}/network-tests/nt_missing`)).status).toBe(404)
  })
})
