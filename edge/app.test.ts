// The public routes around the API: GET / leads a person to /docs, /health needs no key, unknown paths get the common 404.
import { describe, expect, it } from 'vitest'
import { useHarness } from './test-support/harness.js'

describe('createApp public routes', () => {
  const h = useHarness()

  it('redirects GET / to /docs without a key', async () => {
    const res = await h().app.request('/')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/docs')
  })

  it('answers /health without a key', async () => {
    const res = await h().request('GET', '/health', { as: 'none' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ ok: true })
  })

  it('answers an unknown path with 404 in the error shape, request id included', async () => {
    const res = await h().request('GET', '/nope', { as: 'none' })
    expect(res.status).toBe(404)
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', requestId: res.headers.get('x-request-id') })
  })
})
