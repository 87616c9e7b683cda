// PATCH /v1/webhooks/{id}: changing severities, rotating the secret without echoing it, and unknown ids.
import { describe, expect, it } from 'vitest'
import { webhooks } from '../../../shared/db/schema.js'
import { create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('PATCH /v1/webhooks/{id}', () => {
  const h = useHarness()

  it('narrows the severities to critical', async () => {
    const made = await create(h(), '/v1/webhooks', { name: 'w', url: 'https://hooks.example/' })
    const res = await h().request('PATCH', `/v1/webhooks/${made.id}`, { body: { severities: ['critical'] } })
    expect(res.status).toBe(200)
    expect(res.body.severities).toEqual(['critical'])
  })

  it('rotates the secret: stored, not returned', async () => {
    const made = await create(h(), '/v1/webhooks', { name: 'w', url: 'https://hooks.example/' })
    const secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`
    const res = await h().request('PATCH', `/v1/webhooks/${made.id}`, { body: { secret } })
    expect(res.status).toBe(200)
    expect(res.body).not.toHaveProperty('secret')
    expect((await h().db.select().from(webhooks))[0]?.secret).toBe(secret)
  })

  it('returns 404 for an unknown webhook id', async () => {
    expect((await h().request('PATCH', '/v1/webhooks/whk_missing', { body: { enabled: false } })).status).toBe(404)
  })
})
