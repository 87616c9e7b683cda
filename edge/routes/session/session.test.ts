// Console sessions: API key -> httpOnly SameSite=Strict cookie, CSRF token required on cookie writes, viewer sessions read-only, logout, revocation.
import { describe, expect, it } from 'vitest'
import { routingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness, type Harness } from '../../test-support/harness.js'

/** Logs in with `apiKey` over `base` and returns the cookie pair and the CSRF token. */
async function login(h: Harness, apiKey: string, base = 'http://edge.local'): Promise<{ cookie: string; csrf: string; setCookie: string; body: any }> {
  const res = await h.app.request(`${base}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiKey }) })
  expect(res.status).toBe(201)
  const setCookie = res.headers.get('set-cookie') ?? ''
  const body = (await res.json()) as any
  return { cookie: setCookie.split(';')[0]!, csrf: body.csrfToken, setCookie, body }
}

async function send(h: Harness, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await h.app.request(`http://edge.local${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  return { status: res.status, body: text === '' ? null : JSON.parse(text) }
}

describe('/v1/session', () => {
  const h = useHarness()

  it('sets an httpOnly SameSite=Strict cookie (Secure only over https) and returns the role and CSRF token', async () => {
    const plain = await login(h(), h().adminKey)
    expect(plain.setCookie).toMatch(/^ss_session=[\w-]{40,};/)
    expect(plain.setCookie).toMatch(/HttpOnly/)
    expect(plain.setCookie).toMatch(/SameSite=Strict/)
    expect(plain.setCookie).not.toMatch(/Secure/)
    expect(plain.body).toMatchObject({ keyName: 'test admin', role: 'admin', via: 'session', csrfToken: expect.any(String) })
    expect(JSON.stringify(plain.body)).not.toContain(h().adminKey)
    const tls = await login(h(), h().adminKey, 'https://edge.example')
    expect(tls.setCookie).toMatch(/; Secure/)
  })

  it('refuses an unknown key with 401 and sets no cookie', async () => {
    const res = await h().app.request('/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiKey: 'ssk_wrong' }) })
    expect(res.status).toBe(401)
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('reads with the cookie alone, but a cookie write needs the x-csrf-token of its session', async () => {
    const s = await login(h(), h().adminKey)
    expect((await send(h(), 'GET', '/v1/routing-gateways', { cookie: s.cookie })).status).toBe(200)
    expect((await send(h(), 'GET', '/v1/session', { cookie: s.cookie })).body).toMatchObject({ role: 'admin', csrfToken: s.csrf })
    const noToken = await send(h(), 'POST', '/v1/routing-gateways', { cookie: s.cookie }, routingGatewayBody())
    expect(noToken.status).toBe(403)
    const other = await login(h(), h().adminKey)
    expect((await send(h(), 'POST', '/v1/routing-gateways', { cookie: s.cookie, 'x-csrf-token': other.csrf }, routingGatewayBody())).status).toBe(403)
    const ok = await send(h(), 'POST', '/v1/routing-gateways', { cookie: s.cookie, 'x-csrf-token': s.csrf }, routingGatewayBody())
    expect(ok.status).toBe(201)
  })

  it('keeps a viewer session read-only while letting it log out', async () => {
    const s = await login(h(), h().viewerKey)
    expect(s.body.role).toBe('viewer')
    const write = await send(h(), 'POST', '/v1/routing-gateways', { cookie: s.cookie, 'x-csrf-token': s.csrf }, routingGatewayBody())
    expect(write.status).toBe(403)
    expect((await send(h(), 'DELETE', '/v1/session', { cookie: s.cookie, 'x-csrf-token': s.csrf })).status).toBe(204)
    expect((await send(h(), 'GET', '/v1/routing-gateways', { cookie: s.cookie })).status).toBe(401)
  })

  it('ends every session of a revoked key', async () => {
    const key = (await h().request('POST', '/v1/api-keys', { body: { name: 'temp', role: 'admin' } })).body
    const s = await login(h(), key.secret)
    expect((await send(h(), 'GET', '/v1/accounts', { cookie: s.cookie })).status).toBe(200)
    expect((await h().request('DELETE', `/v1/api-keys/${key.id}`)).status).toBe(204)
    expect((await send(h(), 'GET', '/v1/accounts', { cookie: s.cookie })).status).toBe(401)
  })

  it('audits login and logout under the key that logged in, without the key or the tokens', async () => {
    const s = await login(h(), h().viewerKey)
    await send(h(), 'DELETE', '/v1/session', { cookie: s.cookie, 'x-csrf-token': s.csrf })
    const items = (await h().request('GET', '/v1/audit?resource=session')).body.items
    expect(items.map((i: any) => [i.action, i.keyName])).toEqual([['logout', 'test viewer'], ['login', 'test viewer']])
    const text = JSON.stringify(items)
    expect(text).not.toContain(h().viewerKey)
    expect(text).not.toContain(s.csrf)
  })

  it('keeps accepting bearer keys, which need no CSRF token', async () => {
    expect((await h().request('POST', '/v1/routing-gateways', { body: routingGatewayBody() })).status).toBe(201)
    expect((await h().request('GET', '/v1/session')).body).toMatchObject({ via: 'bearer', csrfToken: null })
  })
})
