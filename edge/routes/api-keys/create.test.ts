// POST /v1/api-keys: the secret is returned once, works as a bearer token with its role, and names are unique.
import { describe, expect, it } from 'vitest'
import { useHarness } from '../../test-support/harness.js'

describe('POST /v1/api-keys', () => {
  const h = useHarness()

  it('returns 201 with an ssk_ secret that then authenticates as a viewer', async () => {
    const res = await h().request('POST', '/v1/api-keys', { body: { name: 'grafana', role: 'viewer' } })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ id: expect.any(String), name: 'grafana', role: 'viewer', createdAt: expect.any(String) })
    expect(res.body.secret).toMatch(/^ssk_[A-Za-z0-9_-]{43}$/)
    const secret = { secret: res.body.secret as string }
    expect((await h().request('GET', '/v1/accounts', { as: secret })).status).toBe(200)
    expect((await h().request('POST', '/v1/accounts', { as: secret, body: { name: 'x' } })).status).toBe(403)
  })

  it('gives a new admin key write access', async () => {
    const res = await h().request('POST', '/v1/api-keys', { body: { name: 'ops', role: 'admin' } })
    const write = await h().request('POST', '/v1/accounts', { as: { secret: res.body.secret }, body: { name: 'by-ops' } })
    expect(write.status).toBe(201)
  })

  it('does not bump the config version (keys are not core config)', async () => {
    const before = await h().configVersion()
    await h().request('POST', '/v1/api-keys', { body: { name: 'quiet', role: 'viewer' } })
    expect(await h().configVersion()).toBe(before)
  })

  it('returns 409 for a duplicate API key name', async () => {
    await h().request('POST', '/v1/api-keys', { body: { name: 'once', role: 'viewer' } })
    expect((await h().request('POST', '/v1/api-keys', { body: { name: 'once', role: 'admin' } })).status).toBe(409)
  })

  it('returns 400 naming role when it is not admin or viewer', async () => {
    const res = await h().request('POST', '/v1/api-keys', { body: { name: 'root', role: 'root' } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues[0].path).toEqual(['role'])
  })

  it('returns 403 when a viewer creates a key', async () => {
    expect((await h().request('POST', '/v1/api-keys', { as: 'viewer', body: { name: 'sneaky', role: 'admin' } })).status).toBe(403)
  })
})
