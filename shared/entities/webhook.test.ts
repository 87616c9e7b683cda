// Covers docs/api.md /v1/webhooks: the whsec_ secret format, defaults, and that the public shape never carries the secret.
import { describe, expect, it } from 'vitest'
import { webhookCreate, webhookFromRow, webhookSecretKeyLength, webhookToRow } from './webhook.js'

const key = (bytes: number) => `whsec_${Buffer.alloc(bytes, 1).toString('base64')}`

describe('webhookSecretKeyLength', () => {
  it('accepts whsec_ with a 24..64 byte base64 key and reports its length', () => {
    expect(webhookSecretKeyLength(key(24))).toBe(24)
    expect(webhookSecretKeyLength(key(32))).toBe(32)
    expect(webhookSecretKeyLength(key(64))).toBe(64)
    expect(webhookSecretKeyLength('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(24)
  })

  it.each([[key(23)], [key(65)], ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], ['whsec_not base64!'], ['whsec_abc']])('refuses %s', (secret) => {
    expect(webhookSecretKeyLength(secret)).toBeNull()
  })
})

describe('webhookCreate', () => {
  it('defaults to enabled, warning and critical, every rule, public receivers only, and no secret (the edge generates one)', () => {
    expect(webhookCreate.parse({ name: 'w', url: 'https://h.example/' })).toEqual({
      name: 'w', url: 'https://h.example/', enabled: true, severities: ['warning', 'critical'], ruleIds: [], allowPrivateNetwork: false,
    })
  })

  it('rejects duplicate severities and non-http URLs', () => {
    const issues = webhookCreate.safeParse({ name: 'w', url: 'mailto:a@b.c', severities: ['info', 'info'] }).error?.issues.map((i) => i.path.join('.'))
    expect(issues).toEqual(expect.arrayContaining(['url', 'severities']))
  })
})

describe('webhook mapping', () => {
  it('stores the secret in the row and drops it from the public JSON', () => {
    const row = webhookToRow(webhookCreate.parse({ name: 'w', url: 'https://h.example/' }), { id: 'whk_1', nowMs: 0, secret: key(32) })
    expect(row.secret).toBe(key(32))
    expect(webhookFromRow(row)).not.toHaveProperty('secret')
  })
})
