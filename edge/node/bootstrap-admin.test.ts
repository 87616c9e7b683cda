// First-start admin key: generated once when none exists, or taken from ADMIN_API_KEY, and usable as a bearer token.
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { apiKeys } from '../../shared/db/schema.js'
import { useHarness } from '../test-support/harness.js'
import { ensureAdminKey } from './bootstrap-admin.js'

describe('ensureAdminKey', () => {
  const h = useHarness()

  it('creates nothing while an admin key exists and ADMIN_API_KEY is unset', async () => {
    expect(await ensureAdminKey(h().db, undefined)).toEqual({ kind: 'existing' })
  })

  it('generates an ssk_ admin key when no admin key exists', async () => {
    await h().db.delete(apiKeys).where(eq(apiKeys.role, 'admin'))
    const result = await ensureAdminKey(h().db, undefined)
    expect(result.kind).toBe('created')
    if (result.kind !== 'created') return
    expect(result.secret).toMatch(/^ssk_/)
    expect((await h().request('POST', '/v1/accounts', { as: { secret: result.secret }, body: { name: 'x' } })).status).toBe(201)
  })

  it('stores ADMIN_API_KEY once and accepts it as an admin bearer token', async () => {
    const secret = 'operator-chosen-secret-0123456789'
    expect(await ensureAdminKey(h().db, secret)).toEqual({ kind: 'configured', inserted: true })
    expect(await ensureAdminKey(h().db, secret)).toEqual({ kind: 'configured', inserted: false })
    expect((await h().request('PUT', '/v1/parameters/SS_MAXCALLDURATION', { as: { secret }, body: { value: 60 } })).status).toBe(200)
  })

  it('does not show any part of an operator-chosen secret in the key list', async () => {
    await ensureAdminKey(h().db, 'short-secret')
    const list = await h().request('GET', '/v1/api-keys')
    expect(JSON.stringify(list.body)).not.toContain('short')
  })

  it('promotes a viewer key to admin when ADMIN_API_KEY names its secret', async () => {
    const viewer = h().viewerKey
    expect(await ensureAdminKey(h().db, viewer)).toEqual({ kind: 'configured', inserted: false })
    expect((await h().request('POST', '/v1/accounts', { as: { secret: viewer }, body: { name: 'now-admin' } })).status).toBe(201)
  })
})
