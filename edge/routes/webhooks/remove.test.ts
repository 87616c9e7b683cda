// DELETE /v1/webhooks/{id}: the receiver goes and unknown ids are 404.
import { describe, expect, it } from 'vitest'
import { create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('DELETE /v1/webhooks/{id}', () => {
  const h = useHarness()

  it('returns 204 and the webhook is gone', async () => {
    const made = await create(h(), '/v1/webhooks', { name: 'w', url: 'https://hooks.example/' })
    expect((await h().request('DELETE', `/v1/webhooks/${made.id}`)).status).toBe(204)
    expect((await h().request('GET', `/v1/webhooks/${made.id}`)).status).toBe(404)
  })

  it('returns 404 for an unknown webhook id', async () => {
    expect((await h().request('DELETE', '/v1/webhooks/whk_missing')).status).toBe(404)
  })
})
