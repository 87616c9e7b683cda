// GET /v1/rate-tables: keyset pages oldest first until nextCursor is null.
import { describe, expect, it } from 'vitest'
import { create, rateTableBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/rate-tables', () => {
  const h = useHarness()

  it('returns every rate table across pages following nextCursor', async () => {
    const made = [await create(h(), '/v1/rate-tables', rateTableBody()), await create(h(), '/v1/rate-tables', rateTableBody())]
    made.push(await create(h(), '/v1/rate-tables', rateTableBody()))
    const first = await h().request('GET', '/v1/rate-tables?limit=2')
    const second = await h().request('GET', `/v1/rate-tables?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`)
    expect(second.body.nextCursor).toBeNull()
    expect([...first.body.items, ...second.body.items].map((t: { id: string }) => t.id)).toEqual(made.map((t) => t.id))
  })
})
