// Rate and fraud guards at admission on real snapshots: blocked and allowed destinations, calls per second of a mapping gateway, an account and routing gateways (with their burst), concurrent calls, and the day's spend.
import { describe, expect, it } from 'vitest'
import type { Decision, RejectDecision, RouteDecision } from '../call/ports.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import { ManualClock } from '../lib/clock.js'
import { Metrics } from '../lib/metrics.js'
import { destinationAllowed, MemorySpendCounter } from './call-guards.js'
import { PolicyController } from './controller.js'
import { account, admission, invite, mappingGateway, policySnapshot, routingGateway, type FixtureInput } from './test-support/policy-inputs.js'

const URI = 'sip:4930123@203.0.113.1'

function setup(input: FixtureInput) {
  const clock = new ManualClock(Date.UTC(2024, 0, 3, 12))
  const config = { current: policySnapshot(input) as ConfigSnapshot }
  const controller = new PolicyController({ config, metrics: new Metrics(), random: () => 0 })
  const call = (callee = '4930123') => controller.admit(admission(invite(`sip:${callee}@203.0.113.1`), '192.0.2.10', 5060, clock.now(), callee))
  return { clock, controller, call }
}
const reason = (d: Decision) => (d.kind === 'reject' ? [(d as RejectDecision).status, d.reason] : d.kind)
const ip = (body: Record<string, unknown> = {}) => [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'], ...body })]

describe('destinationAllowed', () => {
  it('lets the longest matching prefix of either list decide, and refuses what no allowed prefix covers', () => {
    const a = { allowedPrefixes: [], blockedPrefixes: ['1900', '44870'] }
    expect(['19001234', '448701', '4930'].map((n) => destinationAllowed(a, n))).toEqual([false, false, true])
    const hole = { allowedPrefixes: ['19005551', '1'], blockedPrefixes: ['1900'] }
    expect(['19001234', '19005551234', '12125550100', '4930'].map((n) => destinationAllowed(hole, n))).toEqual([false, true, true, false])
    const only = { allowedPrefixes: ['49', '33'], blockedPrefixes: ['4990'] }
    expect(['4930', '3312', '4412', '49900'].map((n) => destinationAllowed(only, n))).toEqual([true, true, false, false])
    expect(destinationAllowed({ allowedPrefixes: [], blockedPrefixes: [] }, '1900')).toBe(true)
  })
})

describe('admission guards', () => {
  it('refuses a blocked destination with 403 DestinationBlocked and writes its CDR', () => {
    const s = setup({ mappingGateways: ip(), accounts: [account('acc1', { blockedPrefixes: ['4990'] })] })
    const d = s.call('4990123')
    expect(reason(d)).toEqual([403, 'DestinationBlocked'])
    expect((d as RejectDecision).recordCdr).toBe(true)
    expect(s.call('4930123').kind).toBe('route')
  })

  it('admits a mapping gateway\'s burst at once, refuses the excess with 503 CpsLimitExceeded, and admits again as the rate refills', () => {
    const s = setup({ mappingGateways: ip({ cpsLimit: 2, cpsBurst: 3 }) })
    expect([1, 2, 3, 4, 5].map(() => reason(s.call()))).toEqual(['route', 'route', 'route', [503, 'CpsLimitExceeded'], [503, 'CpsLimitExceeded']])
    s.clock.advance(500)
    expect([reason(s.call()), reason(s.call())]).toEqual(['route', [503, 'CpsLimitExceeded']])
  })

  it('paces an account across its gateways', () => {
    const s = setup({ mappingGateways: ip(), accounts: [account('acc1', { cpsLimit: 1 })] })
    expect([reason(s.call()), reason(s.call())]).toEqual(['route', [503, 'CpsLimitExceeded']])
  })

  it('caps the account\'s concurrent calls with 503 AccountConcurrentCallsExceeded until one ends', () => {
    const s = setup({ mappingGateways: ip(), accounts: [account('acc1', { maxConcurrentCalls: 2 })] })
    const a = s.call() as RouteDecision
    s.call()
    expect(reason(s.call())).toEqual([503, 'AccountConcurrentCallsExceeded'])
    a.release()
    expect(reason(s.call())).toBe('route')
  })

  it('refuses new calls with 403 DailySpendLimitExceeded once the day\'s calls cost the limit, and starts over the next day (SS_TIMEZONE)', () => {
    const s = setup({ mappingGateways: ip(), accounts: [account('acc1', { dailySpendLimit: 5 })], parameters: { SS_TIMEZONE: 'Europe/Berlin' } })
    s.controller.guards.spend.add('acc1', 4.99, s.clock.now())
    expect(reason(s.call())).toBe('route')
    s.controller.guards.spend.add('acc1', 0.01, s.clock.now())
    expect(reason(s.call())).toEqual([403, 'DailySpendLimitExceeded'])
    // Midnight in Berlin is 23:00 UTC.
    s.clock.advance(11 * 3_600_000)
    expect(reason(s.call())).toBe('route')
  })

  it('skips a routing gateway over its calls per second for the next one, and refuses 503 CpsLimitExceeded when none is left', () => {
    const s = setup({ mappingGateways: ip(), routingGateways: [routingGateway('rgA', { priority: 0, cpsLimit: 1 }), routingGateway('rgB', { priority: 1, cpsLimit: 1 })] })
    const first = s.call() as RouteDecision
    expect(first.targets.map((t) => t.routingGatewayId)).toEqual(['rgA', 'rgB'])
    expect(first.acquire(first.targets[0]!)).toBe(true)
    const second = s.call() as RouteDecision
    expect(second.targets.map((t) => t.routingGatewayId)).toEqual(['rgB'])
    expect(second.notes).toContain('over their calls per second: rgA')
    expect(second.acquire(second.targets[0]!)).toBe(true)
    expect(reason(s.call())).toEqual([503, 'CpsLimitExceeded'])
  })
})

describe('MemorySpendCounter', () => {
  it('keeps one day per account in the zone asked', () => {
    const c = new MemorySpendCounter(() => 'UTC')
    c.add('a', 2, Date.UTC(2024, 0, 3, 23))
    c.add('a', 3, Date.UTC(2024, 0, 3, 23, 30))
    expect(c.spent('a', Date.UTC(2024, 0, 3, 23, 59))).toBe(5)
    expect(c.spent('a', Date.UTC(2024, 0, 4, 0, 1))).toBe(0)
    expect(c.spent('b', Date.UTC(2024, 0, 3, 23, 59))).toBe(0)
  })
})
