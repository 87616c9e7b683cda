// PATCH /v1/rate-tables/{id}: 200 renamed, 409 for a taken name, 404 for an unknown id, 400 for an empty body.
import { describe, expect, it } from 'vitest'
import { create, rateTableBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('PATCH /v1/rate-tables/{id}', () => {
  const h = useHarness()

  it('returns 200 with the new name and bumps the config version', async () => {
    const made = await create(h(), '/v1/rate-tables', rateTableBody())
    const before = await h().configVersion()
    const res = await h().request('PATCH', `/v1/rate-tables/${made.id}`, { body: { name: 'wholesale' } })
    expect(res.status).toBe(200)
    expect(res.body.name).toBe('wholesale')
    expect(await h().configVersion()).toBe(before + 1)
  })

  it('returns 409 for a name another table has, 404 for an unknown id and 400 for an empty body', async () => {
    const a = await create(h(), '/v1/rate-tables', rateTableBody())
    const b = await create(h(), '/v1/rate-tables', rateTableBody())
    expect((await h().request('PATCH', `/v1/rate-tables/${b.id}`, { body: { name: a.name } })).status).toBe(409)
    expect((await h().request('PATCH', '/v1/rate-tables/rtb_missing', { body: { name: 'x' } })).status).toBe(404)
    expect((await h().request('PATCH', `/v1/rate-tables/${a.id}`, { body: {} })).status).toBe(400)
  })
})
