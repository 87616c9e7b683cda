// Covers docs/architecture.md "Routing" and least-cost/quality routing: prefix matching (extension/expiration), every skip reason, order by match length, priority, price and quality, load sharing, probes, protect routes, dial plans, caller ID and the terminal reasons.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decideRoute, groupFreeLines, type RouteDecision } from './route.js'
import { buildRoutingTable, type RoutingSnapshot } from './routing-table.js'
import { gatewayGroupFixture, routingGatewayFixture as gw, routingLiveFromRecords, routingParams } from './test-support/routing-cases.js'
import { ALL_ROUTING_CASES, candidateIds, runRoutingCase } from './test-support/run-routing-case.js'
import { TimeZoneError } from './work-calendar.js'

const FACTS = { callee: '0033155', caller: '4921198765', mappingGatewayId: 'M1', nowMs: Date.UTC(2024, 0, 3, 12) }
const snap = (routingGateways: RoutingSnapshot['routingGateways'], more: Partial<RoutingSnapshot> = {}): RoutingSnapshot => ({
  routingGateways, gatewayGroups: [], clearingAccounts: [], params: routingParams(), ...more,
})
const ids = (d: RouteDecision) => (d.kind === 'route' ? d.candidates.map((c) => c.routingGatewayId) : [])

/** Seeded PRNG (mulberry32) so load-sharing runs are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('decideRoute', () => {
  describe('shared routing cases', () => {
    it.each(ALL_ROUTING_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const d = runRoutingCase(c)
      if ('reject' in c.expect) expect(d).toMatchObject({ kind: 'reject', reason: c.expect.reject })
      else expect(candidateIds(d)).toEqual(c.expect.candidates)
      if (c.rejected) expect(Object.fromEntries(d.rejected.map((r) => [r.routingGatewayId, r.reason]))).toEqual(c.rejected)
      if (c.first) expect(d.kind === 'route' ? d.candidates[0] : undefined).toMatchObject(c.first)
    })

    it.each(ALL_ROUTING_CASES.map((c) => [c.name, c] as const))('decides the same with live figures keyed only by gateway id: %s', (_name, c) => {
      expect(runRoutingCase(c, { keyed: true })).toEqual(runRoutingCase(c))
    })
  })

  it('counts a locked longer match in L, so a shorter expiration gateway is reported with the prefix it matched', () => {
    const table = buildRoutingTable(snap([gw('A', { prefixes: ['00331'], lockType: 'bar_all' }), gw('B', { prefixes: ['0033'], prefixMode: 'expiration' })]))
    expect(decideRoute(table, FACTS).rejected).toEqual([
      { routingGatewayId: 'A', reason: 'locked', matchedPrefix: '00331' },
      { routingGatewayId: 'B', reason: 'shorterPrefixExpiration', matchedPrefix: '0033' },
    ])
  })

  it('uses a gateway’s longest matching prefix as its match length', () => {
    const table = buildRoutingTable(snap([gw('A', { prefixes: ['0', '0033'], priority: 9 }), gw('B', { prefixes: ['003'] })]))
    const d = decideRoute(table, FACTS)
    expect(ids(d)).toEqual(['A', 'B'])
    expect(d.kind === 'route' && d.candidates.map((c) => c.matchedPrefix)).toEqual(['0033', '003'])
  })

  it('returns the full ordered list; SS_MAX_ROUTING_ATTEMPTS is applied by the call layer', () => {
    const gateways = Array.from({ length: 60 }, (_, i) => gw(`G${i}`, { priority: i }))
    expect(ids(decideRoute(buildRoutingTable(snap(gateways)), FACTS))).toHaveLength(60)
  })

  it('skips gateways whose group or clearing account is not in the snapshot', () => {
    const table = buildRoutingTable(snap([gw('G', { groupId: 'nope' }), gw('C', { clearingAccountId: 'nope' })]))
    expect(decideRoute(table, FACTS)).toMatchObject({
      kind: 'reject', reason: 'NoAvailableRouter',
      rejected: [{ routingGatewayId: 'G', reason: 'groupUnknown' }, { routingGatewayId: 'C', reason: 'clearingAccountUnknown' }],
    })
  })

  it('refuses an unknown time zone when the table is built', () => {
    expect(() => buildRoutingTable(snap([], { timeZone: 'Nowhere/City' }))).toThrow(TimeZoneError)
  })

  it('does not change the table or live state it reads', () => {
    const table = buildRoutingTable(snap([gw('A'), gw('B')]))
    const live = routingLiveFromRecords({ gatewayCalls: { A: 1 } })
    const first = decideRoute(table, { ...FACTS, random: seeded(7) }, live)
    expect(decideRoute(table, { ...FACTS, random: seeded(7) }, live)).toEqual(first)
  })
})

describe('quality probes', () => {
  const params = routingParams({ SS_GATEWAY_ASR_ROUTE_SORT_CONFIG: 'demote', SS_ROUTE_QUALITY_MIN_CALLS: 4, SS_ROUTE_ASR_MIN_PERCENT: 50, SS_ROUTE_PROBE_PERCENT: 10 })
  const c = {
    name: 'probe', snapshot: snap([gw('BAD'), gw('GOOD')], { params }), facts: FACTS, expect: { candidates: [] },
    quality: [{ routingGatewayId: 'BAD', prefix: '', answered: 0, failed: 8 }],
  }

  it('keeps a demoted gateway in its place (sharing load with its equals) on about SS_ROUTE_PROBE_PERCENT of calls, else tries it last', () => {
    const random = seeded(99)
    let probes = 0
    const runs = 20_000
    for (let i = 0; i < runs; i++) {
      const d = runRoutingCase(c, { random })
      const bad = d.kind === 'route' ? d.candidates.findIndex((x) => x.routingGatewayId === 'BAD') : -1
      if (d.kind !== 'route' || !d.candidates[bad]!.probe) {
        expect(bad).toBe(1)
        continue
      }
      probes++
      expect(d.candidates[bad]).toMatchObject({ demoted: false, qualityVerdict: 'lowAsr' })
    }
    expect(Math.abs(probes / runs - 0.1)).toBeLessThan(0.01)
  })

  it('never probes without a random source (routing analysis) and never with a probe share of 0', () => {
    expect(candidateIds(runRoutingCase(c))).toEqual(['GOOD', 'BAD'])
    const none = { ...c, snapshot: snap([gw('BAD'), gw('GOOD')], { params: { ...params, SS_ROUTE_PROBE_PERCENT: 0 } }) }
    for (let i = 0; i < 200; i++) expect(candidateIds(runRoutingCase(none, { random: Math.random }))).toEqual(['GOOD', 'BAD'])
  })

  it('shares load between equally priced, equally healthy gateways under least-cost routing', () => {
    const lcr = snap([gw('X', { clearingAccountId: 'C' }), gw('Y', { clearingAccountId: 'C' }), gw('Z')], {
      params: routingParams({ SS_GATEWAY_FEE_RATE_ROUTE_SORT_CONFIG: true }), clearingAccounts: [{ id: 'C', status: 'normal', balance: 0, rateTableId: 'rt' }],
    })
    const tie = { name: 'tie', snapshot: lcr, facts: FACTS, expect: { candidates: [] }, rates: [{ rateTableId: 'rt', prefix: '', pricePerMinute: 0.01 }] }
    const random = seeded(5)
    const firsts = new Set<string>()
    for (let i = 0; i < 100; i++) {
      const o = candidateIds(runRoutingCase(tie, { random }))
      firsts.add(o[0]!)
      expect(o[2]).toBe('Z')
    }
    expect([...firsts].sort()).toEqual(['X', 'Y'])
  })
})

describe('groupFreeLines', () => {
  const group = gatewayGroupFixture('G', { lineLimit: 10, reservedLines: [{ mappingGatewayId: 'M2', lines: 3 }, { mappingGatewayId: 'M3', lines: 2 }] })
  const live = routingLiveFromRecords({ groupCalls: { G: 4 }, groupMappingCalls: { G: { M1: 2, M2: 1, M3: 1 } } })

  it('holds back the unused part of every other mapping gateway’s reservation', () => {
    expect(groupFreeLines(group, 'M1', live)).toBe(10 - 4 - 2 - 1)
    expect(groupFreeLines(group, 'M2', live)).toBe(10 - 4 - 1)
    expect(groupFreeLines(group, 'M3', live)).toBe(10 - 4 - 2)
  })

  it('holds nothing back for a reservation already in full use', () => {
    const busy = routingLiveFromRecords({ groupCalls: { G: 6 }, groupMappingCalls: { G: { M2: 5, M3: 1 } } })
    expect(groupFreeLines(group, 'M1', busy)).toBe(10 - 6 - 0 - 1)
  })
})

describe('load sharing among equal priorities', () => {
  const table = buildRoutingTable(
    snap([gw('LONG', { prefixes: ['0033'], priority: 5 }), gw('E1'), gw('E2'), gw('E3'), gw('E4'), gw('LOW', { priority: 1 }), gw('P', { protectRoute: true })]),
  )
  const order = (random: () => number) => ids(decideRoute(table, { ...FACTS, random }))

  it('shuffles only within equal (match length, priority) and keeps every other position', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const o = order(seeded(seed))
        expect(o[0]).toBe('LONG')
        expect([...o.slice(1, 5)].sort()).toEqual(['E1', 'E2', 'E3', 'E4'])
        expect(o.slice(5)).toEqual(['LOW', 'P'])
      }),
    )
  })

  it('is deterministic given the random source', () => {
    fc.assert(fc.property(fc.integer(), (seed) => { expect(order(seeded(seed))).toEqual(order(seeded(seed))) }))
  })

  it('reaches every permutation of the equal-priority gateways', () => {
    const random = seeded(42)
    const seen = new Set<string>()
    for (let i = 0; i < 2000; i++) seen.add(order(random).slice(1, 5).join(','))
    expect(seen.size).toBe(24)
  })

  it('puts each equal-priority gateway first about 1/n of the time', () => {
    const random = seeded(2024)
    const runs = 40_000
    const firsts = new Map<string, number>()
    for (let i = 0; i < runs; i++) {
      const first = order(random)[1]!
      firsts.set(first, (firsts.get(first) ?? 0) + 1)
    }
    for (const id of ['E1', 'E2', 'E3', 'E4']) expect(Math.abs((firsts.get(id) ?? 0) / runs - 0.25)).toBeLessThan(0.015)
  })

  it('survives a random source that returns 1', () => {
    expect(order(() => 1).slice(1, 5).sort()).toEqual(['E1', 'E2', 'E3', 'E4'])
  })
})
