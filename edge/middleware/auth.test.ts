// Bearer authentication: public routes, missing/unknown/malformed keys (401) and viewer writes (403).
import { describe, expect, it } from 'vitest'
import { useHarness } from '../test-support/harness.js'

describe('requireApiKey', () => {
  const h = useHarness()

  it('returns 401 without an Authorization header', async () => {
    const res = await h().request('GET', '/v1/routing-gateways', { as: 'none' })
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('UNAUTHORIZED')
  })

  it('returns 401 for an unknown key', async () => {
    const res = await h().request('GET', '/v1/routing-gateways', { as: { secret: 'ssk_not-a-real-key' } })
    expect(res.status).toBe(401)
  })

  it('returns 401 for a non-Bearer scheme', async () => {
    const res = await h().app.request('/v1/routing-gateways', { headers: { authorization: `Basic ${h().adminKey}` } })
    expect(res.status).toBe(401)
  })

  it('returns 403 when a viewer sends a write, before validating the body', async () => {
    const res = await h().request('POST', '/v1/routing-gateways', { as: 'viewer', body: '{not json' })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('FORBIDDEN')
  })

  it('serves /health, /openapi.json and /docs without a key', async () => {
    for (const path of ['/health', '/openapi.json', '/docs']) {
      expect((await h().app.request(path)).status, path).toBe(200)
    }
  })
})
