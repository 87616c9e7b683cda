// POST /v1/accounts: defaults, zod validation issues, duplicate names, roles and the config-version bump.
import { describe, expect, it } from 'vitest'
import { accountBody, create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('POST /v1/accounts', () => {
  const h = useHarness()

  it('returns 201 with the defaults filled in and an acc_ id', async () => {
    const res = await h().request('POST', '/v1/accounts', { body: { name: 'acme' } })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^acc_/),
      name: 'acme',
      type: 'prepaid',
      status: 'normal',
      balance: 0,
      overdraftLimit: 0,
      maxCallDurationSec: 0,
      rateTableId: null,
    })
  })

  it('returns 400 naming type when the type is not prepaid or postpaid', async () => {
    const res = await h().request('POST', '/v1/accounts', { body: accountBody({ type: 'gold' }) })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('BAD_REQUEST')
    expect(res.body.error.issues.map((i: { path: unknown }) => i.path)).toContainEqual(['type'])
  })

  it('returns 400 for an unknown field', async () => {
    const res = await h().request('POST', '/v1/accounts', { body: accountBody({ colour: 'red' }) })
    expect(res.status).toBe(400)
  })

  it('returns 400 for a malformed JSON body', async () => {
    const res = await h().request('POST', '/v1/accounts', { body: '{"name": ' })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'BAD_REQUEST', requestId: expect.any(String) })
  })

  it('returns 409 for a duplicate account name', async () => {
    await create(h(), '/v1/accounts', accountBody({ name: 'twice' }))
    const res = await h().request('POST', '/v1/accounts', { body: accountBody({ name: 'twice' }) })
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('CONFLICT')
  })

  it('returns 403 when a viewer creates an account', async () => {
    const res = await h().request('POST', '/v1/accounts', { as: 'viewer', body: accountBody() })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('FORBIDDEN')
  })

  it('bumps the config version once per created account', async () => {
    const before = await h().configVersion()
    await create(h(), '/v1/accounts', accountBody())
    expect(await h().configVersion()).toBe(before + 1)
  })

  it('leaves the config version alone when the create fails', async () => {
    await create(h(), '/v1/accounts', accountBody({ name: 'taken' }))
    const before = await h().configVersion()
    await h().request('POST', '/v1/accounts', { body: accountBody({ name: 'taken' }) })
    expect(await h().configVersion()).toBe(before)
  })
})
