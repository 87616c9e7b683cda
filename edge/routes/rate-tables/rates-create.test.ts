// POST /v1/rate-tables/{id}/rates: 201 with defaults, 400 with issue paths, 404 for an unknown table, 409 for a second rate with the same prefix and effectiveFrom.
import { describe, expect, it } from 'vitest'
import { create, rateBody, rateTableBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('POST /v1/rate-tables/{id}/rates', () => {
  const h = useHarness()

  it('returns 201 with an rte_ id, 60/60 increments and the epoch as effectiveFrom by default, and bumps the config version', async () => {
    const table = await create(h(), '/v1/rate-tables', rateTableBody())
    const before = await h().configVersion()
    const res = await h().request('POST', `/v1/rate-tables/${table.id}/rates`, { body: { prefix: '0049', pricePerMinute: 0.02 } })
    expect(res.status).toBe(201)
    expect(res.body).toEqual({
      id: expect.stringMatching(/^rte_/), rateTableId: table.id, prefix: '0049', pricePerMinute: 0.02,
      firstIncrementSec: 60, nextIncrementSec: 60, effectiveFrom: '1970-01-01T00:00:00.000Z',
    })
    expect(await h().configVersion()).toBe(before + 1)
  })

  it('returns 400 naming each bad field (letters in the prefix, negative price, 0 s increment, date without time)', async () => {
    const table = await create(h(), '/v1/rate-tables', rateTableBody())
    const res = await h().request('POST', `/v1/rate-tables/${table.id}/rates`, {
      body: { prefix: '00x', pricePerMinute: -1, firstIncrementSec: 0, nextIncrementSec: 6, effectiveFrom: '2026-01-01' },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.issues.map((i: { path: string[] }) => i.path.join('.')).sort()).toEqual(['effectiveFrom', 'firstIncrementSec', 'prefix', 'pricePerMinute'])
  })

  it('returns 404 for an unknown rate table', async () => {
    expect((await h().request('POST', '/v1/rate-tables/rtb_missing/rates', { body: rateBody() })).status).toBe(404)
  })

  it('returns 409 for the same prefix and effectiveFrom twice, and accepts the prefix with a later effectiveFrom', async () => {
    const table = await create(h(), '/v1/rate-tables', rateTableBody())
    await create(h(), `/v1/rate-tables/${table.id}/rates`, rateBody({ effectiveFrom: '2026-01-01T00:00:00Z' }))
    const again = await h().request('POST', `/v1/rate-tables/${table.id}/rates`, { body: rateBody({ effectiveFrom: '2026-01-01T01:00:00+01:00' }) })
    expect(again.status).toBe(409)
    expect(again.body.error.message).toContain('prefix and effectiveFrom')
    const later = await h().request('POST', `/v1/rate-tables/${table.id}/rates`, { body: rateBody({ effectiveFrom: '2026-02-01T00:00:00Z' }) })
    expect(later.status).toBe(201)
  })
})
