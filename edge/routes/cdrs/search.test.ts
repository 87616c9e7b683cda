// GET /v1/cdrs: every filter alone and combined against a known CDR set, newest-first keyset pages under concurrent inserts, 400s, viewer access.
import { describe, expect, it } from 'vitest'
import type { CdrRow } from '../../../shared/entities/cdr.js'
import { cdrRow, DAY0, HOUR, insertCdrs } from '../../test-support/cdrs.js'
import { useHarness, type Harness } from '../../test-support/harness.js'

const REASONS = ['CallerHangup', 'NoAvailableRouter', 'InviteTimeout', 'GatewayRejected', 'CalleeHangup'] as const
const CALLEES = ['0033155501', '0033612345', '0044207946', '0049301234', '0033155599']
const CALLERS = ['4921198765', '4930111111', '+3314222222']

/** 240 CDRs over 48 hours; several share a start millisecond so the id tie-break matters. */
function knownSet(): CdrRow[] {
  return Array.from({ length: 240 }, (_, i) => {
    const reason = REASONS[i % REASONS.length]!
    return cdrRow({
      startedAtMs: DAY0 + Math.floor(i / 2) * (24 * 60_000),
      terminationReason: reason,
      sipCode: reason === 'GatewayRejected' ? [486, 480][i % 2]! : ['CallerHangup', 'CalleeHangup'].includes(reason) ? 200 : 503,
      routingGatewayId: reason === 'NoAvailableRouter' ? null : ['rgw_a', 'rgw_b', 'rgw_c'][i % 3]!,
      mappingGatewayId: ['mgw_a', 'mgw_b'][i % 2]!,
      accountId: ['acc_a', 'acc_b', 'acc_c'][i % 3]!,
      callee: CALLEES[i % CALLEES.length]!,
      caller: CALLERS[i % CALLERS.length]!,
      durationSec: ['CallerHangup', 'CalleeHangup'].includes(reason) ? (i * 7) % 300 : 0,
    })
  })
}

type Filters = Record<string, string>

/** The expected ids: a plain filter over the set, newest first by (startedAtMs, id). */
function expected(rows: CdrRow[], f: Filters): string[] {
  return rows
    .filter((r) =>
      (f.from === undefined || r.startedAtMs >= Date.parse(f.from)) &&
      (f.to === undefined || r.startedAtMs < Date.parse(f.to)) &&
      (f.caller === undefined || r.caller.startsWith(f.caller)) &&
      (f.callee === undefined || r.callee.startsWith(f.callee)) &&
      (f.accountId === undefined || r.accountId === f.accountId) &&
      (f.mappingGatewayId === undefined || r.mappingGatewayId === f.mappingGatewayId) &&
      (f.routingGatewayId === undefined || r.routingGatewayId === f.routingGatewayId) &&
      (f.reason === undefined || r.terminationReason === f.reason) &&
      (f.sipCode === undefined || r.sipCode === Number(f.sipCode)) &&
      (f.minDurationSec === undefined || r.durationSec >= Number(f.minDurationSec)))
    .sort((a, b) => b.startedAtMs - a.startedAtMs || (a.id < b.id ? 1 : -1))
    .map((r) => r.id)
}

/** Follows nextCursor until the end, returning every id in order. */
async function allPages(h: Harness, f: Filters, limit: number): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | null = null
  do {
    const qs: URLSearchParams = new URLSearchParams({ ...f, limit: String(limit), ...(cursor === null ? {} : { cursor }) })
    const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await h.request('GET', `/v1/cdrs?${qs}`, { as: 'viewer' })
    expect(res.status).toBe(200)
    ids.push(...res.body.items.map((c) => c.id))
    cursor = res.body.nextCursor
  } while (cursor !== null)
  return ids
}

const iso = (ms: number) => new Date(ms).toISOString()
const COMBINATIONS: Filters[] = [
  {},
  { from: iso(DAY0 + 6 * HOUR), to: iso(DAY0 + 30 * HOUR) },
  { caller: '49' },
  { caller: '+33' },
  { callee: '0033' },
  { callee: '0033155' },
  { callee: '0033155599' },
  { accountId: 'acc_b' },
  { mappingGatewayId: 'mgw_a' },
  { routingGatewayId: 'rgw_c' },
  { reason: 'InviteTimeout' },
  { sipCode: '486' },
  { minDurationSec: '150' },
  { callee: '0033', routingGatewayId: 'rgw_a', from: iso(DAY0 + 2 * HOUR) },
  { reason: 'CallerHangup', minDurationSec: '100', accountId: 'acc_a' },
  { caller: '4921', callee: '0044', to: iso(DAY0 + 40 * HOUR) },
  { mappingGatewayId: 'mgw_b', sipCode: '503', reason: 'NoAvailableRouter' },
  { routingGatewayId: 'rgw_b', reason: 'GatewayRejected', sipCode: '480', from: iso(DAY0), to: iso(DAY0 + 48 * HOUR) },
  { callee: '0049', caller: '+33', accountId: 'acc_c', mappingGatewayId: 'mgw_a', minDurationSec: '0' },
  { callee: '0086' },
]

describe('GET /v1/cdrs', () => {
  const h = useHarness()

  it.each(COMBINATIONS.map((f) => [JSON.stringify(f), f] as const))('returns exactly the matching CDRs newest first for %s', async (_name, f) => {
    const rows = knownSet()
    await insertCdrs(h().db, rows)
    const want = expected(rows, f)
    expect(await allPages(h(), f, 1000)).toEqual(want)
    expect(await allPages(h(), f, 7)).toEqual(want)
  })

  it('returns CDRs in the documented shape with ISO times and attempts', async () => {
    const row = cdrRow({ startedAtMs: DAY0, caller: '+4930' })
    await insertCdrs(h().db, [row])
    const res = await h().request('GET', '/v1/cdrs')
    expect(res.body).toEqual({
      items: [expect.objectContaining({
        id: row.id, startedAt: '2024-01-03T00:00:00.000Z', answeredAt: '2024-01-03T00:00:02.000Z', caller: '+4930',
        attempts: [{ routingGatewayId: 'rgw_a', sipCode: 200, reason: 'CallerHangup', startedAt: '2024-01-03T00:00:00.000Z', endedAt: '2024-01-03T00:00:01.000Z' }],
      })],
      nextCursor: null,
    })
  })

  it('never repeats or skips a row while newer CDRs are inserted between page fetches', async () => {
    const rows = knownSet()
    await insertCdrs(h().db, rows)
    const seen: string[] = []
    let cursor: string | null = null
    let later = DAY0 + 100 * HOUR
    do {
      const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await h().request('GET', `/v1/cdrs?limit=13${cursor === null ? '' : `&cursor=${cursor}`}`)
      seen.push(...res.body.items.map((c) => c.id))
      cursor = res.body.nextCursor
      later += 1000
      await insertCdrs(h().db, [cdrRow({ startedAtMs: later }), cdrRow({ startedAtMs: DAY0 + 200 * HOUR })])
    } while (cursor !== null)
    expect(seen).toEqual(expected(rows, {}))
  })

  it('breaks ties on the same start millisecond by id so a page boundary inside the tie loses nothing', async () => {
    const rows = Array.from({ length: 9 }, () => cdrRow({ startedAtMs: DAY0 }))
    await insertCdrs(h().db, rows)
    expect(await allPages(h(), {}, 2)).toEqual(rows.map((r) => r.id).reverse())
  })

  it.each([
    ['callee=00a', 'callee'],
    ['reason=Nope', 'reason'],
    ['sipCode=99', 'sipCode'],
    ['limit=0', 'limit'],
    ['cursor=garbage', 'cursor'],
    ['from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z', 'to'],
    ['format=xml', 'format'],
  ])('returns 400 with the zod issue at %s', async (qs, path) => {
    const res = await h().request('GET', `/v1/cdrs?${qs}`)
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'BAD_REQUEST', requestId: expect.any(String) })
    expect(res.body.error.issues.map((i: { path: string[] }) => i.path.join('.'))).toContain(path)
  })

  it('returns 401 without a key', async () => {
    expect((await h().request('GET', '/v1/cdrs', { as: 'none' })).status).toBe(401)
  })

  it('is documented in /openapi.json with every filter and the text/csv response', async () => {
    const doc = (await h().request('GET', '/openapi.json', { as: 'none' })).body
    const search = doc.paths['/v1/cdrs'].get
    expect(search.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['from', 'to', 'caller', 'callee', 'accountId', 'mappingGatewayId', 'routingGatewayId', 'reason', 'sipCode', 'minDurationSec', 'limit', 'cursor', 'format']))
    expect(Object.keys(search.responses['200'].content)).toEqual(['application/json', 'text/csv'])
    expect(doc.paths['/v1/cdrs/{id}'].get.operationId).toBe('getCdr')
  })
})
