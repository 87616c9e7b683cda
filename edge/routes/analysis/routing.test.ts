// GET /v1/analysis/routing: every shared routing case written into the database (rates, dial plans, published status, quality as CDRs) and run through the endpoint gives the core's decision; explanations; 400s.
import { describe, expect, it } from 'vitest'
import {
  accounts, gatewayGroups, gatewayStatus, mappingGateways, rates, rateTables, routingGateways, systemParameters,
} from '../../../shared/db/schema.js'
import { explainOrder } from '../../../shared/routing/explain.js'
import { ROUTING_PARAM_NAMES } from '../../../shared/routing/routing-table.js'
import type { RoutingCase } from '../../../shared/routing/test-support/routing-cases.js'
import { ALL_ROUTING_CASES, candidateIds, caseQualityCdrs, caseRateRow, runRoutingCase } from '../../../shared/routing/test-support/run-routing-case.js'
import { cdrRow, insertCdrs } from '../../test-support/cdrs.js'
import { useHarness, type Harness } from '../../test-support/harness.js'

const NOW = Date.UTC(2024, 0, 3, 12)

/** Stores a case as configuration rows, rates, published gateway status and the CDRs of its quality window, the way the core would find them. */
async function storeCase(h: Harness, c: RoutingCase): Promise<void> {
  const { snapshot, live = {} } = c
  const stamp = { createdAtMs: NOW, updatedAtMs: NOW }
  const balances = live.clearingBalances ?? {}
  const caseRates = (c.rates ?? []).map(caseRateRow)
  const tableIds = new Set([...caseRates.map((r) => r.rateTableId), ...snapshot.clearingAccounts.flatMap((a) => (a.rateTableId === null ? [] : [a.rateTableId]))])
  if (c.customerRateTableId !== undefined) tableIds.add(c.customerRateTableId)
  if (tableIds.size > 0) await h.db.insert(rateTables).values([...tableIds].map((id) => ({ id, name: id, ...stamp })))
  if (caseRates.length > 0) await h.db.insert(rates).values(caseRates)
  const account = (id: string, balance: number, status: 'normal' | 'locked' = 'normal', rateTableId: string | null = null) =>
    ({ id, name: id, type: 'postpaid' as const, status, balance, overdraftLimit: 0, maxCallDurationSec: 0, rateTableId, ...stamp })
  await h.db.insert(accounts).values([
    account('acc_customer', 0, 'normal', c.customerRateTableId ?? null),
    ...snapshot.clearingAccounts.map((a) => account(a.id, balances[a.id] ?? a.balance, a.status, a.rateTableId)),
  ])
  await h.db.insert(mappingGateways).values(['M1', 'M2'].map((id) => ({
    id, name: id, accountId: 'acc_customer', authMode: 'ip' as const, ips: ['192.0.2.1'], port: null, username: null, digestRealm: null,
    ha1Md5: null, ha1Sha256: null, lineLimit: 0, lockType: 'none' as const, mediaProxy: false,
    calleeRules: id === c.facts.mappingGatewayId ? [...(c.mapping?.calleeRules ?? [])] : [],
    callerRules: id === c.facts.mappingGatewayId ? [...(c.mapping?.callerRules ?? [])] : [],
    allowLossRoutes: id === c.facts.mappingGatewayId && c.mapping?.allowLossRoutes === true, ...stamp,
  })))
  if (snapshot.gatewayGroups.length > 0) await h.db.insert(gatewayGroups).values(snapshot.gatewayGroups.map((g) => ({ ...g, name: g.id, ...stamp })))
  await h.db.insert(routingGateways).values(snapshot.routingGateways.map((g, i) => ({
    ...g, name: g.id, transport: 'udp' as const, switchUntilConnect: true, stopSwitchingCodes: [], mediaProxy: false,
    createdAtMs: NOW + i, updatedAtMs: NOW,
  })))
  const params = snapshot.params as Record<string, unknown>
  await h.db.insert(systemParameters).values([
    ...ROUTING_PARAM_NAMES.map((name) => ({ name, value: params[name], updatedAtMs: NOW })),
    ...(snapshot.timeZone === undefined ? [] : [{ name: 'SS_TIMEZONE', value: snapshot.timeZone, updatedAtMs: NOW }]),
  ])
  // A group's calls are published as calls on its gateways: put them on the first member.
  const calls = new Map(Object.entries(live.gatewayCalls ?? {}))
  for (const [groupId, n] of Object.entries(live.groupCalls ?? {})) {
    const member = snapshot.routingGateways.find((g) => g.groupId === groupId)!
    calls.set(member.id, (calls.get(member.id) ?? 0) + n)
  }
  const published = new Set([...Object.keys(live.online ?? {}), ...calls.keys()])
  if (published.size > 0) {
    await h.db.insert(gatewayStatus).values([...published].map((gatewayId) => ({
      kind: 'routing' as const, gatewayId, online: live.online?.[gatewayId] ?? true, lastCheckAtMs: NOW, rttMs: 20, lossRatio: 0,
      lastCode: 200, currentCalls: calls.get(gatewayId) ?? 0, callsPerSec: 0, nodeId: 'node-1', updatedAtMs: NOW,
    })))
  }
  await insertCdrs(h.db, caseQualityCdrs(c).map((q) => {
    const a = q.attempts[0]!
    return cdrRow({
      startedAtMs: q.endedAtMs - 60_000, answeredAtMs: q.answeredAtMs, endedAtMs: q.endedAtMs, durationSec: q.durationSec,
      routingGatewayId: a.routingGatewayId, terminationReason: a.sipCode === 200 ? 'CallerHangup' : 'GatewayRejected', sipCode: a.sipCode,
      attempts: [{ routingGatewayId: a.routingGatewayId, sipCode: a.sipCode, reason: a.sipCode === 200 ? 'CallerHangup' : 'GatewayRejected', startedAtMs: q.endedAtMs - 60_000, endedAtMs: q.endedAtMs, matchedPrefix: a.matchedPrefix!, pddMs: a.pddMs ?? null }],
    })
  }))
}

function routingUrl(c: RoutingCase): string {
  const qs = new URLSearchParams({
    callee: c.facts.callee, caller: c.facts.caller, mappingGatewayId: c.facts.mappingGatewayId,
    at: new Date(c.facts.nowMs).toISOString(), ...(c.facts.callerPrivacy === undefined ? {} : { callerPrivacy: c.facts.callerPrivacy }),
  })
  return `/v1/analysis/routing?${qs}`
}

describe('GET /v1/analysis/routing', () => {
  const h = useHarness()

  describe('shared routing cases: the same order and skips as the core', () => {
    it.each(ALL_ROUTING_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      await storeCase(h(), c)
      const res = await h().request('GET', routingUrl(c), { as: 'viewer' })
      expect(res.status).toBe(200)
      if ('reject' in c.expect) expect(res.body).toMatchObject({ decision: 'reject', reason: c.expect.reject, candidates: [] })
      else expect(res.body.candidates.map((x: { routingGatewayId: string }) => x.routingGatewayId)).toEqual(c.expect.candidates)
      if (c.rejected !== undefined) {
        const skipped = res.body.rejected.filter((r: { reason: string }) => c.options?.listUnmatched === true || r.reason !== 'noPrefixMatch')
        expect(Object.fromEntries(skipped.map((r: { routingGatewayId: string; reason: string }) => [r.routingGatewayId, r.reason]))).toEqual(c.rejected)
      }
      if (c.first !== undefined) expect(res.body.candidates[0]).toMatchObject(c.first)
      // The core's own run (admission without explanation) gives the same order; with explanation, the same fields.
      const core = runRoutingCase(c)
      expect(res.body.candidates.map((x: { routingGatewayId: string }) => x.routingGatewayId)).toEqual(candidateIds(core))
      const direct = runRoutingCase({ ...c, options: { ...c.options, listUnmatched: true, explain: true } })
      const candidates = direct.kind === 'route' ? direct.candidates : []
      const why = explainOrder(candidates, c.snapshot.params)
      expect(res.body).toMatchObject({
        at: new Date(c.facts.nowMs).toISOString(),
        timeZone: c.snapshot.timeZone ?? 'UTC',
        decision: direct.kind,
        reason: direct.kind === 'reject' ? direct.reason : null,
        candidates: candidates.map((x, i) => ({ ...x, why: why[i] })),
        rejected: direct.rejected,
      })
    })
  })

  it('explains each candidate: price, margin against the customer, quality figures and why it sits there', async () => {
    const c = ALL_ROUTING_CASES.find((x) => x.name.startsWith('the margin guard skips a vendor'))!
    await storeCase(h(), c)
    const res = await h().request('GET', routingUrl(c))
    expect(res.body).toMatchObject({
      routedCallee: c.facts.callee, customerPrice: 0.02,
      candidates: [{ routingGatewayId: 'B', vendorPrice: 0.01, vendorPricePrefix: '33', margin: 0.01, quality: null, qualityVerdict: 'unjudged', why: expect.stringMatching(/^first: normal route/) }],
      rejected: [{ routingGatewayId: 'A', reason: 'priceAboveCustomer', vendorPrice: 0.03, customerPrice: 0.02 }],
    })
  })

  it('reads the quality window from CDRs of calls that ended within SS_ROUTE_QUALITY_WINDOW_MINUTES', async () => {
    const c = ALL_ROUTING_CASES.find((x) => x.name.startsWith('quality demotion: the cheapest vendor under'))!
    await storeCase(h(), c)
    const now = await h().request('GET', routingUrl(c))
    expect(now.body.candidates.map((x: { routingGatewayId: string; quality: unknown }) => [x.routingGatewayId, x.quality])).toEqual([
      ['B', { calls: 5, answered: 3, asr: 0.6, acdSec: 30, pddMs: null }],
      ['A', { calls: 5, answered: 1, asr: 0.2, acdSec: 30, pddMs: null }],
    ])
    const later = new Date(c.facts.nowMs + 61 * 60_000).toISOString()
    const res = await h().request('GET', routingUrl(c).replace(/at=[^&]+/, `at=${encodeURIComponent(later)}`))
    expect(res.body.candidates.map((x: { routingGatewayId: string; quality: unknown }) => [x.routingGatewayId, x.quality])).toEqual([['A', null], ['B', null]])
  })

  it('reads calendars in the timeZone given instead of SS_TIMEZONE', async () => {
    const c = ALL_ROUTING_CASES.find((x) => x.name.startsWith('a Friday 22:00-06:00 calendar in New York is open'))!
    await storeCase(h(), c)
    expect((await h().request('GET', routingUrl(c))).body).toMatchObject({ timeZone: 'America/New_York', decision: 'route' })
    const res = await h().request('GET', `${routingUrl(c)}&timeZone=UTC`)
    expect(res.body).toMatchObject({ timeZone: 'UTC', decision: 'reject', rejected: [{ routingGatewayId: 'N', reason: 'outsideCalendar' }] })
  })

  it('returns 400 naming mappingGatewayId when that mapping gateway does not exist', async () => {
    const res = await h().request('GET', '/v1/analysis/routing?callee=0033155&mappingGatewayId=mgw_missing')
    expect(res.status).toBe(400)
    expect(res.body.error.issues[0].path).toEqual(['mappingGatewayId'])
  })

  it.each([
    ['mappingGatewayId=M1', 'callee'],
    ['callee=00a&mappingGatewayId=M1', 'callee'],
    ['callee=0033&mappingGatewayId=M1&timeZone=Mars/Olympus', 'timeZone'],
    ['callee=0033&mappingGatewayId=M1&at=noon', 'at'],
  ])('returns 400 with the zod issue for %s', async (qs, path) => {
    const res = await h().request('GET', `/v1/analysis/routing?${qs}`)
    expect(res.status).toBe(400)
    expect(res.body.error.issues.map((i: { path: string[] }) => i.path.join('.'))).toContain(path)
  })
})
