// DELETE /v1/api-keys/{id}: a revoked key stops working at once; the last admin key cannot be deleted.
import { describe, expect, it } from 'vitest'
import { useHarness } from '../../test-support/harness.js'

describe('DELETE /v1/api-keys/{id}', () => {
  const h = useHarness()

  it('returns 204 and the revoked key gets 401 afterwards', async () => {
    const created = await h().request('POST', '/v1/api-keys', { body: { name: 'temp', role: 'viewer' } })
    expect((await h().request('DELETE', `/v1/api-keys/${created.body.id}`)).status).toBe(204)
    expect((await h().request('GET', '/v1/accounts', { as: { secret: created.body.secret } })).status).toBe(401)
  })

  it('returns 409 when deleting the last admin key', async () => {
    const keys = await h().request('GET', '/v1/api-keys')
    const admin = keys.body.items.find((k: { role: string }) => k.role === 'admin')
    const res = await h().request('DELETE', `/v1/api-keys/${admin.id}`)
    expect(res.status).toBe(409)
    expect((await h().request('GET', '/v1/accounts')).status).toBe(200)
  })

  it('returns 404 for an unknown API key id', async () => {
    expect((await h().request('DELETE', '/v1/api-keys/key_missing')).status).toBe(404)
  })
})
