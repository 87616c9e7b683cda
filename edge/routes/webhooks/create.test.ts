// POST /v1/webhooks: the secret is generated (or taken) and returned once, never afterwards; bad URLs, secrets and rule ids are 400; duplicates 409.
import { describe, expect, it } from 'vitest'
import { webhooks } from '../../../shared/db/schema.js'
import { create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('POST /v1/webhooks', () => {
  const h = useHarness()

  it('returns 201 with a generated whsec_ secret, warning and critical severities and every rule by default', async () => {
    const res = await h().request('POST', '/v1/webhooks', { body: { name: 'ops', url: 'https://hooks.example/alerts' } })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^whk_/), enabled: true, severities: ['warning', 'critical'], ruleIds: [] })
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    const [row] = await h().db.select().from(webhooks)
    expect(row?.secret).toBe(res.body.secret)
  })

  it('stores a given secret and does not return it on later reads', async () => {
    const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`
    const made = await create(h(), '/v1/webhooks', { name: 'mine', url: 'http://127.0.0.1:9000/x', secret, severities: ['critical'], allowPrivateNetwork: true })
    expect(made.secret).toBe(secret)
    const read = await h().request('GET', `/v1/webhooks/${made.id}`)
    expect(read.body).not.toHaveProperty('secret')
    expect(JSON.stringify((await h().request('GET', '/v1/webhooks')).body)).not.toContain(secret)
  })

  it.each([
    [{ url: 'ftp://hooks.example/x' }, ['url']],
    [{ url: 'https://hooks.example/x', secret: 'plain-text' }, ['secret']],
    [{ url: 'https://hooks.example/x', secret: `whsec_${Buffer.alloc(8).toString('base64')}` }, ['secret']],
    [{ url: 'https://hooks.example/x', severities: ['urgent'] }, ['severities', 0]],
    [{ url: 'https://hooks.example/x', ruleIds: ['alr_missing'] }, ['ruleIds', 0]],
  ])('returns 400 with the issue path for %j', async (body, path) => {
    const res = await h().request('POST', '/v1/webhooks', { body: { name: 'bad', ...body } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues.map((i: { path: unknown }) => i.path)).toContainEqual(path)
  })

  it.each([
    'http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://127.0.0.1:8787/v1/api-keys', 'http://10.0.0.8/hook',
    'http://192.168.1.1/', 'http://[::1]/', 'http://localhost:9000/', 'http://metadata.google.internal/computeMetadata/v1/',
  ])('refuses the private, loopback, link-local or metadata receiver %s with 400 on url unless allowPrivateNetwork', async (url) => {
    const res = await h().request('POST', '/v1/webhooks', { body: { name: 'ssrf', url } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues).toContainEqual(expect.objectContaining({ path: ['url'], message: expect.stringContaining('allowPrivateNetwork') }))
    const allowed = await h().request('POST', '/v1/webhooks', { body: { name: 'ssrf', url, allowPrivateNetwork: true } })
    expect([allowed.status, allowed.body.allowPrivateNetwork]).toEqual([201, true])
  })

  it('returns 409 for a duplicate webhook name', async () => {
    await create(h(), '/v1/webhooks', { name: 'same', url: 'https://a.example/' })
    expect((await h().request('POST', '/v1/webhooks', { body: { name: 'same', url: 'https://b.example/' } })).status).toBe(409)
  })
})
