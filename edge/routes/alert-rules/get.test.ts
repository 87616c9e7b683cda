// GET /v1/alert-rules/{id}: reading a rule back, and 404 for an unknown id.
import { describe, expect, it } from 'vitest'
import { create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/alert-rules/{id}', () => {
  const h = useHarness()

  it('returns the stored rule to a viewer', async () => {
    const made = await create(h(), '/v1/alert-rules', { name: 'pdd', metric: 'avgPddMs', threshold: 5000, scope: { kind: 'prefix', prefix: '0044' } })
    const res = await h().request('GET', `/v1/alert-rules/${made.id}`, { as: 'viewer' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual(made)
  })

  it('returns 404 for an unknown alert rule id', async () => {
    expect((await h().request('GET', '/v1/alert-rules/alr_missing')).status).toBe(404)
  })
})
