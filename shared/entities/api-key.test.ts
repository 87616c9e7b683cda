// Covers docs/api.md "Authentication" and /v1/api-keys: roles, and storing only the SHA-256 of the secret.
import { describe, expect, it } from 'vitest'
import { apiKey, apiKeyCreate, apiKeyCreated, apiKeyFromRow, apiKeyToRow, apiKeyUpdate, hashApiKeySecret } from './api-key.js'

describe('api keys', () => {
  it('defaults the role to viewer and rejects unknown roles', () => {
    expect(apiKeyCreate.parse({ name: 'ci' })).toEqual({ name: 'ci', role: 'viewer' })
    expect(apiKeyCreate.safeParse({ name: 'ci', role: 'root' }).success).toBe(false)
    expect(apiKeyUpdate.safeParse({}).success).toBe(false)
  })

  it('stores the SHA-256 hex of the secret and an 8-character prefix, never the secret', () => {
    const secret = 'ssk_abcdefghijklmnopqrstuvwxyz012345'
    const row = apiKeyToRow({ name: 'ci', role: 'admin' }, { id: 'k1', nowMs: 0, secret })
    expect(row.secretHash).toBe(hashApiKeySecret(secret))
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/)
    expect(row.secretPrefix).toBe('ssk_abcd')
    expect(JSON.stringify(row)).not.toContain(secret)
  })

  it('exposes id, name, role, prefix and createdAt, and the secret only in the create response', () => {
    const row = apiKeyToRow({ name: 'ci', role: 'admin' }, { id: 'k1', nowMs: 0, secret: 'ssk_x' })
    const json = apiKeyFromRow(row)
    expect(apiKey.parse(json)).toEqual({ id: 'k1', name: 'ci', role: 'admin', secretPrefix: 'ssk_x', createdAt: '1970-01-01T00:00:00.000Z' })
    expect(apiKeyCreated.parse({ ...json, secret: 'ssk_x' }).secret).toBe('ssk_x')
  })
})
