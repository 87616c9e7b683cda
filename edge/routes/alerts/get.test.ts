// GET /v1/alerts/{id}: one alert with its deliveries, and 404 for an unknown id.
import { describe, expect, it } from 'vitest'
import { alerts } from '../../../shared/db/schema.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/alerts/{id}', () => {
  const h = useHarness()

  it('returns the alert', async () => {
    await h().db.insert(alerts).values({ id: 'alt_1', ruleId: 'alr_a', state: 'firing', value: 3, firedAtMs: 0, resolvedAtMs: null, lastNotifiedAtMs: 0 })
    const res = await h().request('GET', '/v1/alerts/alt_1', { as: 'viewer' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: 'alt_1', state: 'firing', value: 3, deliveries: [] })
  })

  it('returns 404 for an unknown alert id', async () => {
    expect((await h().request('GET', '/v1/alerts/alt_missing')).status).toBe(404)
  })
})
