// Covers the routing explanation: the first candidate's leading keys, and for each later one the key (price, quality, priority, prefix, protect) that put it after the one before, or a tie.
import { describe, expect, it } from 'vitest'
import { explainOrder } from './explain.js'
import type { RouteCandidate } from './route.js'
import { ALL_ROUTING_CASES, runRoutingCase } from './test-support/run-routing-case.js'

function explained(name: string): string[] {
  const c = ALL_ROUTING_CASES.find((x) => x.name.startsWith(name))!
  const d = runRoutingCase(c)
  if (d.kind !== 'route') throw new Error('expected a route')
  return explainOrder(d.candidates, c.snapshot.params)
}

describe('explainOrder', () => {
  it('names the price that put each vendor after the cheaper one', () => {
    expect(explained('least-cost routing tries equal-priority vendors cheapest first')).toEqual([
      'first: normal route, prefix "" (0 digits, longer first), priority 0, price 0.01/min',
      'after B: price 0.02/min vs price 0.01/min',
      'after C: price 0.03/min vs price 0.02/min',
    ])
  })

  it('names the priority when least-cost routing stays within a priority', () => {
    expect(explained('least-cost routing within priority')[1]).toBe('after A: priority 1 vs priority 0')
  })

  it('names the quality demotion, with the figures behind it, before the price', () => {
    expect(explained('quality demotion: the cheapest vendor under the ASR minimum')).toEqual([
      'first: normal route, prefix "" (0 digits, longer first), priority 0, healthy (ASR 60%, PDD - over 5 calls), price 0.02/min',
      'after B: demoted: ASR under 50% (ASR 20%, PDD - over 5 calls) vs healthy (ASR 60%, PDD - over 5 calls)',
    ])
  })

  it('names unpriced gateways and protect routes', () => {
    expect(explained('least-cost routing tries unpriced gateways')[1]).toBe('after A: unpriced (after priced gateways) vs price 0.04/min')
    expect(explained('least-cost routing across all levels still tries protect routes')[1]).toBe('after A: protect route (after every normal route) vs normal route')
  })

  it('says when two candidates tie and only snapshot order separates them', () => {
    const c: RouteCandidate = {
      routingGatewayId: 'X', priority: 0, matchedPrefix: '', protectRoute: false, calleeOut: '1', callerOut: '2', host: 'h', port: 5060,
      callerId: { anonymous: false, privacy: null, assertedIdentity: null }, vendorPrice: null, vendorPricePrefix: null, margin: null,
      quality: null, qualityVerdict: null, demoted: false, probe: false,
    }
    const params = ALL_ROUTING_CASES[0]!.snapshot.params
    expect(explainOrder([c, { ...c, routingGatewayId: 'Y' }], params)[1]).toMatch(/^after X only by snapshot order/)
  })
})
