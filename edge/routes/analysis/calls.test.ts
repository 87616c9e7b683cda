// GET /v1/analysis/calls: every grouping (counts and margin: revenue, cost, profit) equals a straightforward recomputation over a generated CDR set; window checks; viewer access.
import { describe, expect, it } from 'vitest'
import type { CdrRow } from '../../../shared/entities/cdr.js'
import { CALL_GROUPINGS, MARGIN_DECIMALS, roundTo, type CallGrouping } from '../../analysis/calls.js'
import { cdrRow, DAY0, HOUR, insertCdrs } from '../../test-support/cdrs.js'
import { useHarness } from '../../test-support/harness.js'

const REASONS = ['CallerHangup', 'CalleeHangup', 'NoAvailableRouter', 'InviteTimeout', 'GatewayRejected', 'CallerCancel', 'AllGatewayBusy'] as const

/** 400 CDRs over 30 hours with varied gateways, accounts, reasons, durations and PDDs (some null). */
function generated(): CdrRow[] {
  let x = 7
  const next = (n: number) => ((x = (x * 1103515245 + 12345) % 2 ** 31), x % n)
  return Array.from({ length: 400 }, () => {
    const reason = REASONS[next(REASONS.length)]!
    const answered = reason === 'CallerHangup' || reason === 'CalleeHangup'
    const startedAtMs = DAY0 - 3 * HOUR + next(30 * HOUR)
    return cdrRow({
      startedAtMs,
      terminationReason: reason,
      answeredAtMs: answered ? startedAtMs + 3000 : null,
      durationSec: answered ? next(600) : 0,
      pddMs: next(5) === 0 ? null : 500 + next(8000),
      routingGatewayId: reason === 'NoAvailableRouter' || reason === 'AllGatewayBusy' ? null : `rgw_${next(4)}`,
      mappingGatewayId: `mgw_${next(3)}`,
      accountId: `acc_${next(3)}`,
      cost: answered && next(4) !== 0 ? next(100_000) / 10_000 : null,
      vendorCost: answered && next(4) !== 0 ? next(80_000) / 10_000 : null,
    })
  })
}

/** The plain recomputation: filter the window, group, count. */
function recompute(rows: CdrRow[], fromMs: number, toMs: number, groupBy: CallGrouping) {
  const keyOf = (r: CdrRow): string | null => ({
    routingGateway: r.routingGatewayId, mappingGateway: r.mappingGatewayId, account: r.accountId, reason: r.terminationReason,
    hour: new Date(r.startedAtMs - (r.startedAtMs % HOUR)).toISOString(),
    fiveMinutes: new Date(r.startedAtMs - (r.startedAtMs % 300_000)).toISOString(),
  })[groupBy]
  const groups = new Map<string | null, CdrRow[]>()
  for (const r of rows.filter((r) => r.startedAtMs >= fromMs && r.startedAtMs < toMs)) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r])
  return new Map([...groups].map(([key, g]) => {
    const answered = g.filter((r) => r.answeredAtMs !== null)
    const pdd = g.filter((r) => r.pddMs !== null)
    const failures: Record<string, number> = {}
    for (const r of g.filter((r) => r.answeredAtMs === null)) failures[r.terminationReason] = (failures[r.terminationReason] ?? 0) + 1
    return [key, {
      key,
      attempts: g.length,
      answered: answered.length,
      asr: roundTo(answered.length / g.length, 4),
      acdSec: answered.length === 0 ? null : roundTo(answered.reduce((s, r) => s + r.durationSec, 0) / answered.length, 1),
      avgPddMs: pdd.length === 0 ? null : Math.round(pdd.reduce((s, r) => s + r.pddMs!, 0) / pdd.length),
      failuresByReason: failures,
      revenue: roundTo(g.reduce((s, r) => s + (r.cost ?? 0), 0), MARGIN_DECIMALS),
      cost: roundTo(g.reduce((s, r) => s + (r.vendorCost ?? 0), 0), MARGIN_DECIMALS),
      profit: roundTo(g.reduce((s, r) => s + (r.cost ?? 0) - (r.vendorCost ?? 0), 0), MARGIN_DECIMALS),
    }]
  }))
}

describe('GET /v1/analysis/calls', () => {
  const h = useHarness()
  const fromMs = DAY0
  const toMs = DAY0 + 24 * HOUR
  const window = `from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}`

  it.each(CALL_GROUPINGS)('returns 200 with rows equal to a recomputation when grouped by %s', async (groupBy) => {
    const rows = generated()
    await insertCdrs(h().db, rows)
    const res = await h().request('GET', `/v1/analysis/calls?${window}&groupBy=${groupBy}`, { as: 'viewer' })
    expect(res.status).toBe(200)
    const want = recompute(rows, fromMs, toMs, groupBy)
    expect(res.body.items).toHaveLength(want.size)
    for (const item of res.body.items) expect(item).toEqual(want.get(item.key))
    expect(res.body.items.reduce((s: number, i: { attempts: number }) => s + i.attempts, 0)).toBe(
      rows.filter((r) => r.startedAtMs >= fromMs && r.startedAtMs < toMs).length,
    )
  })

  it('returns revenue 1.5, cost 0.9 and profit 0.6 for two rated calls and zeros for an unrated one', async () => {
    await insertCdrs(h().db, [
      cdrRow({ startedAtMs: DAY0 + 1, accountId: 'acc_m', cost: 1.2, vendorCost: 0.7 }),
      cdrRow({ startedAtMs: DAY0 + 2, accountId: 'acc_m', cost: 0.3, vendorCost: 0.2 }),
      cdrRow({ startedAtMs: DAY0 + 3, accountId: 'acc_u' }),
    ])
    const items = (await h().request('GET', `/v1/analysis/calls?${window}&groupBy=account`)).body.items
    expect(items.find((i: { key: string }) => i.key === 'acc_m')).toMatchObject({ revenue: 1.5, cost: 0.9, profit: 0.6 })
    expect(items.find((i: { key: string }) => i.key === 'acc_u')).toMatchObject({ revenue: 0, cost: 0, profit: 0 })
  })

  it('orders hour buckets by time and other groupings by attempts', async () => {
    await insertCdrs(h().db, generated())
    const hours = (await h().request('GET', `/v1/analysis/calls?${window}&groupBy=hour`)).body.items.map((i: { key: string }) => i.key)
    expect(hours).toEqual([...hours].sort())
    expect(hours[0]).toBe('2024-01-03T00:00:00.000Z')
    const byGateway = (await h().request('GET', `/v1/analysis/calls?${window}`)).body.items.map((i: { attempts: number }) => i.attempts)
    expect(byGateway).toEqual([...byGateway].sort((a, b) => b - a))
  })

  it('is documented in /openapi.json with the other analysis operations', async () => {
    const paths = Object.keys((await h().request('GET', '/openapi.json', { as: 'none' })).body.paths)
    expect(paths).toEqual(expect.arrayContaining(['/v1/analysis/calls', '/v1/analysis/gateway-failures', '/v1/analysis/routing', '/v1/analysis/diagnosis', '/v1/status/gateways']))
  })

  it('returns 200 with no rows for an empty window', async () => {
    expect((await h().request('GET', `/v1/analysis/calls?${window}`)).body).toEqual({ items: [] })
  })

  it.each([
    ['to=2024-01-04T00:00:00Z', 'from'],
    ['from=2024-01-04T00:00:00Z&to=2024-01-03T00:00:00Z', 'to'],
    ['from=2024-01-01T00:00:00Z&to=2024-03-01T00:00:00Z', 'to'],
    [`${window}&groupBy=country`, 'groupBy'],
  ])('returns 400 with the zod issue for %s', async (qs, path) => {
    const res = await h().request('GET', `/v1/analysis/calls?${qs}`)
    expect(res.status).toBe(400)
    expect(res.body.error.issues.map((i: { path: string[] }) => i.path.join('.'))).toContain(path)
  })
})
