// DELETE /v1/rate-tables/{id}/rates/{rateId}: 204 and gone, 404 for an unknown rate.
import { describe, expect, it } from 'vitest'
import { create, rateBody, rateTableBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('DELETE /v1/rate-tables/{id}/rates/{rateId}', () => {
  const h = useHarness()

  it('returns 204, bumps the config version and the rate is gone', async () => {
    const table = await create(h(), '/v1/rate-tables', rateTableBody())
    const made = await create(h(), `/v1/rate-tables/${table.id}/rates`, rateBody())
    const before = await h().configVersion()
    expect((await h().request('DELETE', `/v1/rate-tables/${table.id}/rates/${made.id}`)).status).toBe(204)
    expect(await h().configVersion()).toBe(before + 1)
    expect((await h().request('GET', `/v1/rate-tables/${table.id}/rates/${made.id}`)).status).toBe(404)
  })

  it('returns 404 for an unknown rate', async () => {
    const table = await create(h(), '/v1/rate-tables', rateTableBody())
    expect((await h().request('DELETE', `/v1/rate-tables/${table.id}/rates/rte_missing`)).status).toBe(404)
  })
})
