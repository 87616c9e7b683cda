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

  it('refuses a PATCH to a metadata URL, and turning allowPrivateNetwork off while the URL is private (400 on url)', async () => {
    const made = await create(h(), '/v1/webhooks', { name: 'w', url: 'https://hooks.example/' })
    const toMetadata = await h().request('PATCH', `/v1/webhooks/${made.id}`, { body: { url: 'http://169.254.169.254/latest/' } })
    expect([toMetadata.status, toMetadata.body.error.issues[0].path]).toEqual([400, ['url']])
    const both = await h().request('PATCH', `/v1/webhooks/${made.id}`, { body: { url: 'http://10.0.0.8/', allowPrivateNetwork: true } })
    expect([both.status, both.body.url]).toEqual([200, 'http://10.0.0.8/'])
    const off = await h().request('PATCH', `/v1/webhooks/${made.id}`, { body: { allowPrivateNetwork: false } })
    expect(off.status).toBe(400)
  })
})
