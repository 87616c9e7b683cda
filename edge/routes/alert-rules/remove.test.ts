// DELETE /v1/alert-rules/{id}: the rule goes, its firing alert is closed but kept in the log, and unknown ids are 404.
import { describe, expect, it } from 'vitest'
import { alerts } from '../../../shared/db/schema.js'
import { create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('DELETE /v1/alert-rules/{id}', () => {
  const h = useHarness()

  it('returns 204 and resolves the rule\'s firing alert without deleting it', async () => {
    const made = await create(h(), '/v1/alert-rules', { name: 'gone', metric: 'asr', threshold: 0.2 })
    await h().db.insert(alerts).values({ id: 'alt_1', ruleId: made.id, state: 'firing', value: 0.1, firedAtMs: 1, resolvedAtMs: null, lastNotifiedAtMs: 1 })
    expect((await h().request('DELETE', `/v1/alert-rules/${made.id}`)).status).toBe(204)
    expect((await h().request('GET', `/v1/alert-rules/${made.id}`)).status).toBe(404)
    expect((await h().request('GET', '/v1/alerts/alt_1')).body).toMatchObject({ state: 'resolved', resolvedAt: expect.any(String) })
  })

  it('returns 404 for an unknown alert rule id', async () => {
    expect((await h().request('DELETE', '/v1/alert-rules/alr_missing')).status).toBe(404)
  })
})
