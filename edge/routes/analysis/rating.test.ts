// GET /v1/analysis/rating: the account's rate by longest prefix and effective date, cost rounded by SERVER_BILLING_FEE_PRECISION, prepaid affordable time; nulls when unrated; 400/404.
import { describe, expect, it } from 'vitest'
import { accountBody, create, postCsv, rateTableBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

const CSV = [
  'prefix,pricePerMinute,firstIncrementSec,nextIncrementSec,effectiveFrom',
  ',1,60,60,',
  '0033,0.12,30,6,2026-01-01T00:00:00Z',
  '0033,0.06,30,6,2026-06-01T00:00:00Z',
  '00336,0.3,1,1,2026-01-01T00:00:00Z',
].join('\n')

describe('GET /v1/analysis/rating', () => {
  const h = useHarness()

  const setup = async (account: Record<string, unknown>) => {
    const table = await create(h(), '/v1/rate-tables', rateTableBody())
    expect((await postCsv(h(), `/v1/rate-tables/${table.id}/rates/import`, CSV)).status).toBe(200)
    const acc = await create(h(), '/v1/accounts', accountBody({ rateTableId: table.id, ...account }))
    return { table, acc }
  }
  const rating = async (qs: string) => h().request('GET', `/v1/analysis/rating?${qs}`, { as: 'viewer' })

  it('returns 200 with the longest-prefix rate in effect at `at`, the billed seconds, the cost and the prepaid affordable time', async () => {
    const { table, acc } = await setup({ type: 'prepaid', balance: 1, overdraftLimit: 0.2 })
    const res = await rating(`accountId=${acc.id}&callee=0033155&durationSec=31&at=2026-03-01T00:00:00Z`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      rateTableId: table.id, rate: { prefix: '0033', pricePerMinute: 0.12, effectiveFrom: '2026-01-01T00:00:00.000Z' },
      precision: 4, durationSec: 31, billableSec: 36, cost: 0.072, available: 1.2, affordableSec: 600,
    })
    const later = await rating(`accountId=${acc.id}&callee=0033155&durationSec=31&at=2026-07-01T00:00:00Z`)
    expect(later.body).toMatchObject({ rate: { pricePerMinute: 0.06 }, cost: 0.036, affordableSec: 1200 })
    const mobile = await rating(`accountId=${acc.id}&callee=00336123&durationSec=7&at=2026-03-01T00:00:00Z`)
    expect(mobile.body).toMatchObject({ rate: { prefix: '00336' }, billableSec: 7, cost: 0.035, affordableSec: 240 })
    const elsewhere = await rating(`accountId=${acc.id}&callee=0049&at=2026-03-01T00:00:00Z`)
    expect(elsewhere.body).toMatchObject({ rate: { prefix: '' }, cost: 1, affordableSec: 60 })
  })

  it('rounds with SERVER_BILLING_FEE_PRECISION and gives postpaid accounts no affordable limit', async () => {
    const { acc } = await setup({ type: 'postpaid' })
    expect((await h().request('PUT', '/v1/parameters/SERVER_BILLING_FEE_PRECISION', { body: { value: 1 } })).status).toBe(200)
    const res = await rating(`accountId=${acc.id}&callee=00336&durationSec=7&at=2026-03-01T00:00:00Z`)
    expect(res.body).toMatchObject({ precision: 1, cost: 0, affordableSec: null })
  })

  it('returns nulls for an account without a rate table and for a number no prefix matches before any rate is in effect', async () => {
    const plain = await create(h(), '/v1/accounts', accountBody())
    expect((await rating(`accountId=${plain.id}&callee=0033`)).body).toMatchObject({ rateTableId: null, rate: null, cost: null, affordableSec: null })
    const { acc } = await setup({})
    await h().request('PATCH', `/v1/accounts/${acc.id}`, { body: { type: 'prepaid' } })
    const table = await create(h(), '/v1/rate-tables', rateTableBody())
    await postCsv(h(), `/v1/rate-tables/${table.id}/rates/import`, 'prefix,pricePerMinute,effectiveFrom\n0033,1,2030-01-01T00:00:00Z')
    await h().request('PATCH', `/v1/accounts/${acc.id}`, { body: { rateTableId: table.id } })
    expect((await rating(`accountId=${acc.id}&callee=0033&at=2029-12-31T23:59:59Z`)).body).toMatchObject({ rate: null, billableSec: null })
  })

  it('returns 404 for an unknown account and 400 for letters in the number or a negative duration', async () => {
    expect((await rating('accountId=acc_missing&callee=0033')).status).toBe(404)
    const acc = await create(h(), '/v1/accounts', accountBody())
    expect((await rating(`accountId=${acc.id}&callee=00x`)).status).toBe(400)
    expect((await rating(`accountId=${acc.id}&callee=0033&durationSec=-1`)).status).toBe(400)
  })
})
