// GET /v1/webhooks/{id}: a webhook without its secret, and 404 for an unknown id.
import { describe, expect, it } from 'vitest'
import { create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/webhooks/{id}', () => {
  const h = useHarness()

  it('returns the webhook without the secret', async () => {
    const { secret: _secret, ...made } = await create(h(), '/v1/webhooks', { name: 'w', url: 'https://hooks.example/' })
    const res = await h().request('GET', `/v1/webhooks/${made.id}`, { as: 'viewer' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual(made)
  })

  it('returns 404 for an unknown webhook id', async () => {
    expect((await h().request('GET', '/v1/webhooks/whk_missing')).status).toBe(404)
  })
})
