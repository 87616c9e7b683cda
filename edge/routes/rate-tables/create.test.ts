// POST /v1/rate-tables: 201 with an rtb_ id, 400 for a bad body, 409 for a duplicate name, 403 for viewers, and the config-version bump.
import { describe, expect, it } from 'vitest'
import { create, rateTableBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('POST /v1/rate-tables', () => {
  const h = useHarness()

  it('returns 201 with an rtb_ id and ISO times, and bumps the config version once', async () => {
    const before = await h().configVersion()
    const res = await h().request('POST', '/v1/rate-tables', { body: { name: 'retail' } })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^rtb_/), name: 'retail', createdAt: expect.any(String) })
    expect(await h().configVersion()).toBe(before + 1)
  })

  it('returns 400 for an empty name or an unknown field', async () => {
    expect((await h().request('POST', '/v1/rate-tables', { body: { name: '' } })).status).toBe(400)
    expect((await h().request('POST', '/v1/rate-tables', { body: rateTableBody({ rates: [] }) })).status).toBe(400)
  })

  it('returns 409 for a duplicate name and leaves the config version alone', async () => {
    await create(h(), '/v1/rate-tables', { name: 'twice' })
    const before = await h().configVersion()
    const res = await h().request('POST', '/v1/rate-tables', { body: { name: 'twice' } })
    expect(res.status).toBe(409)
    expect(res.body.error.message).toContain('rate table named "twice"')
    expect(await h().configVersion()).toBe(before)
  })

  it('returns 403 when a viewer creates a rate table', async () => {
    expect((await h().request('POST', '/v1/rate-tables', { as: 'viewer', body: rateTableBody() })).status).toBe(403)
  })
})
