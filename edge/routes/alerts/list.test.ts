// GET /v1/alerts: the alert log newest first with each delivery's status, filters by rule and state, and pagination.
import { describe, expect, it } from 'vitest'
import { alertDeliveries, alerts } from '../../../shared/db/schema.js'
import { useHarness } from '../../test-support/harness.js'

const alertRow = (id: string, ruleId: string, state: 'firing' | 'resolved') =>
  ({ id, ruleId, state, value: 0.9, firedAtMs: 1_700_000_000_000, resolvedAtMs: state === 'resolved' ? 1_700_000_060_000 : null, lastNotifiedAtMs: 1_700_000_000_000 })

describe('GET /v1/alerts', () => {
  const h = useHarness()

  it('returns an empty list on a new database', async () => {
    expect((await h().request('GET', '/v1/alerts', { as: 'viewer' })).body).toEqual({ items: [], nextCursor: null })
  })

  it('lists alerts newest first with their deliveries (status, attempts, lastAttemptAt)', async () => {
    await h().db.insert(alerts).values([alertRow('alt_1', 'alr_a', 'resolved'), alertRow('alt_2', 'alr_b', 'firing')])
    await h().db.insert(alertDeliveries).values({
      id: 'msg_1', alertId: 'alt_2', webhookId: 'whk_1', type: 'alert.firing', body: '{}', status: 'failed', attempts: 6,
      lastAttemptAtMs: 1_700_000_030_000, nextAttemptAtMs: null, lastStatusCode: 500, lastError: 'receiver answered 500', createdAtMs: 1_700_000_000_000,
    })
    const res = await h().request('GET', '/v1/alerts')
    expect(res.status).toBe(200)
    expect(res.body.items.map((a: { id: string }) => a.id)).toEqual(['alt_2', 'alt_1'])
    expect(res.body.items[0]).toMatchObject({
      ruleId: 'alr_b', state: 'firing', value: 0.9, firedAt: '2023-11-14T22:13:20.000Z', resolvedAt: null,
      deliveries: [{ webhookId: 'whk_1', status: 'failed', attempts: 6, lastAttemptAt: '2023-11-14T22:13:50.000Z', lastStatusCode: 500 }],
    })
    expect(res.body.items[1].deliveries).toEqual([])
  })

  it('filters by state and rule and pages with the cursor', async () => {
    await h().db.insert(alerts).values([alertRow('alt_1', 'alr_a', 'resolved'), alertRow('alt_2', 'alr_a', 'firing'), alertRow('alt_3', 'alr_b', 'firing')])
    expect((await h().request('GET', '/v1/alerts?state=firing')).body.items.map((a: { id: string }) => a.id)).toEqual(['alt_3', 'alt_2'])
    const first = await h().request('GET', '/v1/alerts?ruleId=alr_a&limit=1')
    expect(first.body).toMatchObject({ items: [{ id: 'alt_2' }], nextCursor: 'alt_2' })
    expect((await h().request('GET', `/v1/alerts?ruleId=alr_a&limit=1&cursor=alt_2`)).body).toMatchObject({ items: [{ id: 'alt_1' }], nextCursor: null })
  })

  it('returns 400 for an unknown state', async () => {
    expect((await h().request('GET', '/v1/alerts?state=open')).status).toBe(400)
  })
})
