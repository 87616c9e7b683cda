// GET /v1/api-keys: keys are listed without their secret or hash.
import { describe, expect, it } from 'vitest'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/api-keys', () => {
  const h = useHarness()

  it('lists the keys with id, name, role and createdAt but never a secret or hash', async () => {
    const res = await h().request('GET', '/v1/api-keys', { as: 'viewer' })
    expect(res.status).toBe(200)
    expect(res.body.items.map((k: { role: string }) => k.role).sort()).toEqual(['admin', 'viewer'])
    for (const key of res.body.items) {
      expect(key).toEqual(expect.objectContaining({ id: expect.any(String), name: expect.any(String), createdAt: expect.any(String) }))
      expect(Object.keys(key)).not.toContain('secret')
      expect(Object.keys(key)).not.toContain('secretHash')
    }
    expect(JSON.stringify(res.body)).not.toContain(h().adminKey)
  })
})
