// GET /v1/rate-tables/{id}/rates: pages by (prefix, effectiveFrom) with nextCursor, 400 for a bad cursor, 404 for an unknown table, and the streamed CSV export.
import { describe, expect, it } from 'vitest'
import { create, rateBody, rateTableBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'
import { ratesCsvStream } from './rates-list.js'

describe('GET /v1/rate-tables/{id}/rates', () => {
  const h = useHarness()

  const seed = async () => {
    const table = await create(h(), '/v1/rate-tables', rateTableBody())
    const path = `/v1/rate-tables/${table.id}/rates`
    await create(h(), path, rateBody({ prefix: '0044', effectiveFrom: '2026-01-01T00:00:00Z' }))
    await create(h(), path, rateBody({ prefix: '', pricePerMinute: 1 }))
    await create(h(), path, rateBody({ prefix: '0033', pricePerMinute: 0.5, effectiveFrom: '2026-02-01T00:00:00Z' }))
    await create(h(), path, rateBody({ prefix: '0033', pricePerMinute: 0.4, effectiveFrom: '2026-01-01T00:00:00Z' }))
    await create(h(), path, rateBody({ prefix: '+1', pricePerMinute: 0.01 }))
    return { table, path }
  }

  it('returns every rate ordered by prefix then effectiveFrom across pages', async () => {
    const { path } = await seed()
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res: { status: number; body: any } = await h().request('GET', `${path}?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)
      expect(res.status).toBe(200)
      seen.push(...res.body.items.map((r: { prefix: string; effectiveFrom: string }) => `${r.prefix}@${r.effectiveFrom.slice(0, 7)}`))
      cursor = res.body.nextCursor
    } while (cursor !== null)
    expect(seen).toEqual(['@1970-01', '+1@1970-01', '0033@2026-01', '0033@2026-02', '0044@2026-01'])
  })

  it('returns 400 for a malformed cursor and 404 for an unknown rate table', async () => {
    const { path } = await seed()
    expect((await h().request('GET', `${path}?cursor=abc`)).status).toBe(400)
    expect((await h().request('GET', '/v1/rate-tables/rtb_missing/rates')).status).toBe(404)
  })

  it('streams CSV with the import header for Accept: text/csv and for format=csv', async () => {
    const { path } = await seed()
    const headers = { authorization: `Bearer ${h().viewerKey}` }
    const byAccept = await h().app.request(path, { headers: { ...headers, accept: 'text/csv' } })
    expect(byAccept.status).toBe(200)
    expect(byAccept.headers.get('content-type')).toContain('text/csv')
    const text = await byAccept.text()
    expect(text.split('\r\n')).toEqual([
      'prefix,pricePerMinute,firstIncrementSec,nextIncrementSec,effectiveFrom',
      ',1,30,6,1970-01-01T00:00:00.000Z',
      '+1,0.01,30,6,1970-01-01T00:00:00.000Z',
      '0033,0.4,30,6,2026-01-01T00:00:00.000Z',
      '0033,0.5,30,6,2026-02-01T00:00:00.000Z',
      '0044,0.1,30,6,2026-01-01T00:00:00.000Z',
      '',
    ])
    expect(await (await h().app.request(`${path}?format=csv`, { headers })).text()).toBe(text)
  })

  it('streams every rate when the export spans several pages', async () => {
    const { table } = await seed()
    const text = await new Response(ratesCsvStream(h().db, table.id, 2)).text()
    expect(text.split('\r\n').filter((l) => l !== '')).toHaveLength(6)
  })
})
