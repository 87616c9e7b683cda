// DELETE /v1/rate-tables/{id}: 204 removes the table and its rates, 409 while an account uses it, 404 for an unknown id.
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { rates } from '../../../shared/db/schema.js'
import { accountBody, create, rateBody, rateTableBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('DELETE /v1/rate-tables/{id}', () => {
  const h = useHarness()

  it('returns 204 and deletes the rates of the table', async () => {
    const table = await create(h(), '/v1/rate-tables', rateTableBody())
    await create(h(), `/v1/rate-tables/${table.id}/rates`, rateBody())
    expect((await h().request('DELETE', `/v1/rate-tables/${table.id}`)).status).toBe(204)
    expect((await h().request('GET', `/v1/rate-tables/${table.id}`)).status).toBe(404)
    expect(await h().db.select().from(rates).where(eq(rates.rateTableId, table.id))).toEqual([])
  })

  it('returns 409 naming the account while an account uses the table, and keeps it', async () => {
    const table = await create(h(), '/v1/rate-tables', rateTableBody())
    const acc = await create(h(), '/v1/accounts', accountBody({ rateTableId: table.id }))
    const res = await h().request('DELETE', `/v1/rate-tables/${table.id}`)
    expect(res.status).toBe(409)
    expect(res.body.error.message).toContain(acc.id)
    expect((await h().request('GET', `/v1/rate-tables/${table.id}`)).status).toBe(200)
  })

  it('returns 404 for an unknown rate table id', async () => {
    expect((await h().request('DELETE', '/v1/rate-tables/rtb_missing')).status).toBe(404)
  })
})
