// GET /v1/analysis/gateway-failures: every attempt counts (failovers included), codes and reasons with their share, one-gateway filter.
import { describe, expect, it } from 'vitest'
import { attempt, cdrRow, DAY0, HOUR, insertCdrs } from '../../test-support/cdrs.js'
import { useHarness } from '../../test-support/harness.js'

const window = `from=${new Date(DAY0).toISOString()}&to=${new Date(DAY0 + 24 * HOUR).toISOString()}`

describe('GET /v1/analysis/gateway-failures', () => {
  const h = useHarness()

  async function seed() {
    const failover = (first: ReturnType<typeof attempt>) =>
      cdrRow({ routingGatewayId: 'rgw_b', attempts: [first, attempt('rgw_b', 200, 'CallerHangup')] })
    await insertCdrs(h().db, [
      ...Array.from({ length: 6 }, () => failover(attempt('rgw_a', 503, 'GatewayRejected'))),
      ...Array.from({ length: 2 }, () => failover(attempt('rgw_a', null, 'InviteTimeout'))),
      ...Array.from({ length: 2 }, () => cdrRow({ routingGatewayId: 'rgw_a' })),
      cdrRow({ routingGatewayId: 'rgw_b', terminationReason: 'GatewayRejected', attempts: [attempt('rgw_b', 486, 'GatewayRejected')] }),
      cdrRow({ startedAtMs: DAY0 - 1, routingGatewayId: 'rgw_a', attempts: [attempt('rgw_a', 503, 'GatewayRejected')] }),
    ])
  }

  it('returns 200 with each gateway’s failed attempts by code and reason, counting attempts before a failover', async () => {
    await seed()
    const res = await h().request('GET', `/v1/analysis/gateway-failures?${window}`, { as: 'viewer' })
    expect(res.status).toBe(200)
    expect(res.body.items).toEqual([
      {
        routingGatewayId: 'rgw_a', attempts: 10, answered: 2, failed: 8, failureRatio: 0.8,
        byCode: [{ sipCode: 503, count: 6, share: 0.75 }, { sipCode: null, count: 2, share: 0.25 }],
        byReason: [{ reason: 'GatewayRejected', count: 6, share: 0.75 }, { reason: 'InviteTimeout', count: 2, share: 0.25 }],
      },
      {
        routingGatewayId: 'rgw_b', attempts: 9, answered: 8, failed: 1, failureRatio: 0.1111,
        byCode: [{ sipCode: 486, count: 1, share: 1 }],
        byReason: [{ reason: 'GatewayRejected', count: 1, share: 1 }],
      },
    ])
  })

  it('returns only the asked gateway with routingGatewayId', async () => {
    await seed()
    const res = await h().request('GET', `/v1/analysis/gateway-failures?${window}&routingGatewayId=rgw_b`)
    expect(res.body.items.map((i: { routingGatewayId: string }) => i.routingGatewayId)).toEqual(['rgw_b'])
  })

  it('returns 400 naming from when the window is missing', async () => {
    const res = await h().request('GET', '/v1/analysis/gateway-failures')
    expect(res.status).toBe(400)
    expect(res.body.error.issues.map((i: { path: string[] }) => i.path[0])).toEqual(['from', 'to'])
  })
})
