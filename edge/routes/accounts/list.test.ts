// GET /v1/accounts: keyset pagination over a real migrated database, limits validation and read access for viewers.
import { describe, expect, it } from 'vitest'
import { accountBody, create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/accounts', () => {
  const h = useHarness()

  it('returns every account across pages following nextCursor until it is null', async () => {
    const made = [await create(h(), '/v1/accounts', accountBody()), await create(h(), '/v1/accounts', accountBody())]
    made.push(await create(h(), '/v1/accounts', accountBody()))
    const first = await h().request('GET', '/v1/accounts?limit=2')
    expect(first.status).toBe(200)
    expect(first.body.items).toHaveLength(2)
    expect(first.body.nextCursor).toEqual(expect.any(String))
    const second = await h().request('GET', `/v1/accounts?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`)
    expect(second.body.items).toHaveLength(1)
    expect(second.body.nextCursor).toBeNull()
    const ids = [...first.body.items, ...second.body.items].map((a: { id: string }) => a.id)
    expect(ids).toEqual(made.map((a) => a.id))
  })

  it('returns an empty page with a null cursor when there are no accounts', async () => {
    const res = await h().request('GET', '/v1/accounts')
    expect(res.body).toEqual({ items: [], nextCursor: null })
  })

  it('returns 400 naming limit when limit is 0', async () => {
    const res = await h().request('GET', '/v1/accounts?limit=0')
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('BAD_REQUEST')
    expect(res.body.error.issues[0].path).toEqual(['limit'])
  })

  it('lets a viewer list accounts', async () => {
    await create(h(), '/v1/accounts', accountBody())
    const res = await h().request('GET', '/v1/accounts', { as: 'viewer' })
    expect(res.status).toBe(200)
    expect(res.body.items).toHaveLength(1)
  })

  it('returns 401 without a key', async () => {
    const res = await h().request('GET', '/v1/accounts', { as: 'none' })
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('UNAUTHORIZED')
  })
})
