// POST /v1/rate-tables/{id}/rates/import: CSV round trip with the export, all-or-nothing 400 listing bad rows, upsert by (prefix, effectiveFrom), 400/404 for the wrong body or table.
import { describe, expect, it } from 'vitest'
import { create, postCsv, rateBody, rateTableBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

const HEADER = 'prefix,pricePerMinute,firstIncrementSec,nextIncrementSec,effectiveFrom'

describe('POST /v1/rate-tables/{id}/rates/import', () => {
  const h = useHarness()
  const table = async () => (await create(h(), '/v1/rate-tables', rateTableBody())).id as string
  const exportCsv = async (id: string) =>
    (await h().app.request(`/v1/rate-tables/${id}/rates?format=csv`, { headers: { authorization: `Bearer ${h().adminKey}` } })).text()

  it('returns 200 with the counts, and exporting gives back the imported rows (round trip into a second table)', async () => {
    const id = await table()
    const csv = [HEADER, '0033,0.015,60,60,2026-01-01T00:00:00.000Z', '"00336",0.2,30,6,1970-01-01T00:00:00.000Z', ',1,1,1,', '+44,1e-7,1,1,2026-03-01T00:00:00Z'].join('\r\n')
    const before = await h().configVersion()
    const res = await postCsv(h(), `/v1/rate-tables/${id}/rates/import`, csv)
    expect(res).toEqual({ status: 200, body: { total: 4, created: 4, updated: 0 } })
    expect(await h().configVersion()).toBe(before + 1)
    const exported = await exportCsv(id)
    const copy = await table()
    expect((await postCsv(h(), `/v1/rate-tables/${copy}/rates/import`, exported)).body).toEqual({ total: 4, created: 4, updated: 0 })
    expect(await exportCsv(copy)).toBe(exported)
    expect(exported).toContain('+44,1e-7,1,1,2026-03-01T00:00:00.000Z\r\n')
  })

  it('overwrites price and increments of an existing (prefix, effectiveFrom) and keeps its id', async () => {
    const id = await table()
    const old = await create(h(), `/v1/rate-tables/${id}/rates`, rateBody({ prefix: '0033', pricePerMinute: 0.1, effectiveFrom: '2026-01-01T00:00:00Z' }))
    const res = await postCsv(h(), `/v1/rate-tables/${id}/rates/import`, `${HEADER}\n0033,0.3,1,1,2026-01-01T00:00:00Z\n0034,0.3,,,\n`)
    expect(res.body).toEqual({ total: 2, created: 1, updated: 1 })
    const after = await h().request('GET', `/v1/rate-tables/${id}/rates/${old.id}`)
    expect(after.body).toMatchObject({ pricePerMinute: 0.3, firstIncrementSec: 1, nextIncrementSec: 1 })
  })

  it('returns 400 listing every bad row by line and field, and writes nothing', async () => {
    const id = await table()
    const csv = [HEADER, '0033,0.1,60,60,', '00x,0.1,60,60,', '0044,-1,0,60,', '0033,0.2,60,60,1970-01-01T00:00:00Z', '0049,abc,60,60,yesterday', '0050,0.1'].join('\n')
    const before = await h().configVersion()
    const res = await postCsv(h(), `/v1/rate-tables/${id}/rates/import`, csv)
    expect(res.status).toBe(400)
    expect(res.body.error.message).toContain('5 invalid row(s); nothing was imported')
    const paths = res.body.error.issues.map((i: { path: (string | number)[] }) => i.path.join('.'))
    expect(paths).toEqual(['line.3.prefix', 'line.4.pricePerMinute', 'line.4.firstIncrementSec', 'line.5', 'line.6.pricePerMinute', 'line.6.effectiveFrom', 'line.7'])
    expect(res.body.error.issues[3].message).toContain('as line 2')
    expect((await h().request('GET', `/v1/rate-tables/${id}/rates`)).body.items).toEqual([])
    expect(await h().configVersion()).toBe(before)
  })

  it('returns 400 for a header with an unknown or missing column and an empty body, 415 for a JSON content type', async () => {
    const id = await table()
    const path = `/v1/rate-tables/${id}/rates/import`
    expect((await postCsv(h(), path, 'prefix,price\n0033,1')).body.error.issues[0].path).toEqual(['line', 1])
    expect((await postCsv(h(), path, 'pricePerMinute\n1')).status).toBe(400)
    expect((await postCsv(h(), path, '')).status).toBe(400)
    const json = await postCsv(h(), path, `${HEADER}\n0033,1,60,60,`, 'application/json')
    expect([json.status, json.body.error.message]).toEqual([415, expect.stringContaining('text/csv')])
  })

  it('returns 404 for an unknown rate table and 403 for a viewer', async () => {
    expect((await postCsv(h(), '/v1/rate-tables/rtb_missing/rates/import', `${HEADER}\n0033,1,60,60,`)).status).toBe(404)
    const id = await table()
    const res = await h().app.request(`/v1/rate-tables/${id}/rates/import`, {
      method: 'POST', headers: { authorization: `Bearer ${h().viewerKey}`, 'content-type': 'text/csv' }, body: `${HEADER}\n0033,1,60,60,`,
    })
    expect(res.status).toBe(403)
  })
})
