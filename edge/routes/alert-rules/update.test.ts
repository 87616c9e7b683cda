// PATCH /v1/alert-rules/{id}: changing fields, the merged rule re-checked, and unknown ids.
import { describe, expect, it } from 'vitest'
import { create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('PATCH /v1/alert-rules/{id}', () => {
  const h = useHarness()

  it('disables a rule and raises its threshold', async () => {
    const made = await create(h(), '/v1/alert-rules', { name: 'r', metric: 'reasonCount', reason: 'InviteTimeout', threshold: 5 })
    const res = await h().request('PATCH', `/v1/alert-rules/${made.id}`, { body: { enabled: false, threshold: 8 } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ enabled: false, threshold: 8, reason: 'InviteTimeout' })
  })

  it('returns 400 naming sipCode when the metric changes to sipCodeCount without one', async () => {
    const made = await create(h(), '/v1/alert-rules', { name: 'r', metric: 'asr', threshold: 0.2 })
    const res = await h().request('PATCH', `/v1/alert-rules/${made.id}`, { body: { metric: 'sipCodeCount', threshold: 10 } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues[0].path).toEqual(['sipCode'])
  })

  it('returns 404 for an unknown alert rule id', async () => {
    expect((await h().request('PATCH', '/v1/alert-rules/alr_missing', { body: { enabled: false } })).status).toBe(404)
  })
})
