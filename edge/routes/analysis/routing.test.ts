// GET /v1/analysis/routing: the shared routing cases written into the database and run through the endpoint agree with decideRoute; 400s.
import { describe, expect, it } from 'vitest'
import { accounts, gatewayGroups, gatewayStatus, mappingGateways, routingGateways, systemParameters } from '../../../shared/db/schema.js'
import { buildRoutingTable, decideRoute } from '../../../shared/routing/route.js'
import { ROUTING_CASES, routingLiveFromRecords, type RoutingCase } from '../../../shared/routing/test-support/routing-cases.js'
import { useHarness, type Harness } from '../../test-support/harness.js'

const NOW = Date.UTC(2024, 0, 3, 12)

/** Stores a case as configuration rows plus published gateway status, the way the core would find it. */
async function storeCase(h: Harness, c: RoutingCase): Promise<void> {
  const { snapshot, live = {} } = c
  const stamp = { createdAtMs: NOW, updatedAtMs: NOW }
  const balances = live.clearingBalances ?? {}
  const account = (id: string, balance: number, status: 'normal' | 'locked' = 'normal') =>
    ({ id, name: id, type: 'postpaid' as const, status, balance, overdraftLimit: 0, maxCallDurationSec: 0, rateTableId: null, ...stamp })
  await h.db.insert(accounts).values([account('acc_customer', 0), ...snapshot.clearingAccounts.map((a) => account(a.id, balances[a.id] ?? a.balance, a.status))])
  await h.db.insert(mappingGateways).values(['M1', 'M2'].map((id) => ({
    id, name: id, accountId: 'acc_customer', authMode: 'ip' as const, ips: ['192.0.2.1'], port: null, username: null, digestRealm: null,
    ha1Md5: null, ha1Sha256: null, lineLimit: 0, lockType: 'none' as const, mediaProxy: false, ...stamp,
  })))
  if (snapshot.gatewayGroups.length > 0) await h.db.insert(gatewayGroups).values(snapshot.gatewayGroups.map((g) => ({ ...g, name: g.id, ...stamp })))
  await h.db.insert(routingGateways).values(snapshot.routingGateways.map((g, i) => ({
    ...g, name: g.id, transport: 'udp' as const, switchUntilConnect: true, stopSwitchingCodes: [], mediaProxy: false,
    createdAtMs: NOW + i, updatedAtMs: NOW,
  })))
  await h.db.insert(systemParameters).values([
    { name: 'SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT', value: snapshot.params.SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT, updatedAtMs: NOW },
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
}

function routingUrl(c: RoutingCase): string {
  const qs = new URLSearchParams({
    callee: c.facts.callee, caller: c.facts.caller, mappingGatewayId: c.facts.mappingGatewayId,
    at: new Date(c.facts.nowMs).toISOString(),
  })
  return `/v1/analysis/routing?${qs}`
}

describe('GET /v1/analysis/routing', () => {
  const h = useHarness()

  describe('shared routing cases', () => {
    it.each(ROUTING_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
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
      const direct = decideRoute(buildRoutingTable(c.snapshot), c.facts, routingLiveFromRecords(c.live), { listUnmatched: true })
      expect(res.body).toEqual({
        at: new Date(c.facts.nowMs).toISOString(),
        timeZone: c.snapshot.timeZone ?? 'UTC',
        decision: direct.kind,
        reason: direct.kind === 'reject' ? direct.reason : null,
        candidates: direct.kind === 'route' ? direct.candidates : [],
        rejected: direct.rejected,
      })
    })
  })

  it('reads calendars in the timeZone given instead of SS_TIMEZONE', async () => {
    const c = ROUTING_CASES.find((x) => x.name.startsWith('a Friday 22:00-06:00 calendar in New York is open'))!
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
