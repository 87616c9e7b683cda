// GET /v1/api-keys/{id}: one key without its secret, and 404 for an unknown id.
import { describe, expect, it } from 'vitest'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/api-keys/{id}', () => {
  const h = useHarness()

  it('returns a created key without the secret', async () => {
    const created = await h().request('POST', '/v1/api-keys', { body: { name: 'ci', role: 'viewer' } })
    const res = await h().request('GET', `/v1/api-keys/${created.body.id}`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: created.body.id, name: 'ci', role: 'viewer' })
    expect(res.body).not.toHaveProperty('secret')
  })

  it('returns 404 for an unknown API key id', async () => {
    expect((await h().request('GET', '/v1/api-keys/key_missing')).status).toBe(404)
  })
})
