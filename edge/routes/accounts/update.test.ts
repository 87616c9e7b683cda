// PATCH /v1/accounts/{id}: partial updates, unknown ids, renames onto a taken name and empty bodies.
import { describe, expect, it } from 'vitest'
import { accountBody, create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('PATCH /v1/accounts/{id}', () => {
  const h = useHarness()

  it('changes only the given fields and bumps the config version', async () => {
    const made = await create(h(), '/v1/accounts', accountBody({ balance: 5 }))
    const before = await h().configVersion()
    const res = await h().request('PATCH', `/v1/accounts/${made.id}`, { body: { status: 'locked' } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: made.id, name: made.name, status: 'locked', balance: 5 })
    expect(await h().configVersion()).toBe(before + 1)
  })

  it('returns 404 for an unknown account id', async () => {
    const res = await h().request('PATCH', '/v1/accounts/acc_missing', { body: { status: 'locked' } })
    expect(res.status).toBe(404)
  })

  it('returns 409 when renamed to another account\'s name', async () => {
    await create(h(), '/v1/accounts', accountBody({ name: 'first' }))
    const second = await create(h(), '/v1/accounts', accountBody({ name: 'second' }))
    const res = await h().request('PATCH', `/v1/accounts/${second.id}`, { body: { name: 'first' } })
    expect(res.status).toBe(409)
  })

  it('returns 400 for an empty body', async () => {
    const made = await create(h(), '/v1/accounts', accountBody())
    const res = await h().request('PATCH', `/v1/accounts/${made.id}`, { body: {} })
    expect(res.status).toBe(400)
  })

  it('returns 400 naming overdraftLimit when it is negative', async () => {
    const made = await create(h(), '/v1/accounts', accountBody())
    const res = await h().request('PATCH', `/v1/accounts/${made.id}`, { body: { overdraftLimit: -1 } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues[0].path).toEqual(['overdraftLimit'])
  })

  it('refuses balance with 400 naming it and pointing at payments, and leaves the balance as charged', async () => {
    const made = await create(h(), '/v1/accounts', accountBody({ balance: 5 }))
    const res = await h().request('PATCH', `/v1/accounts/${made.id}`, { body: { balance: 100, status: 'locked' } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues).toEqual([expect.objectContaining({ path: ['balance'], message: expect.stringContaining('POST /v1/accounts/{id}/payments') })])
    expect((await h().request('GET', `/v1/accounts/${made.id}`)).body).toMatchObject({ balance: 5, status: 'normal' })
  })
})
