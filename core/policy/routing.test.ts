// Covers money and quality routing in admission: least-cost order on the callee as sent, the margin guard with its CDR notes and NoProfitableRoute, quality fed by finished calls, ingress dial plans before rating and routing, and caller ID from the caller's Privacy.
import { describe, expect, it } from 'vitest'
import type { CdrCreate } from '../../shared/entities/cdr.js'
import type { Decision, RouteDecision } from '../call/ports.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import { Metrics } from '../lib/metrics.js'
import { PolicyController } from './controller.js'
import { account, admission, invite, mappingGateway, policySnapshot, rate, routingGateway, type FixtureInput } from './test-support/policy-inputs.js'

const NOW = Date.UTC(2024, 0, 3, 12)
const vendors = ['cheap', 'mid', 'dear']
/** Customer pays 0.02/min for 33; vendors cost 0.01, 0.015 and 0.03 (each with its own clearing account and rate table). */
const BASE: FixtureInput = {
  parameters: { SS_GATEWAY_FEE_RATE_ROUTE_SORT_CONFIG: true },
  accounts: [account('acc1', { type: 'postpaid', rateTableId: 'rtC' }), ...vendors.map((v) => account(`acc_${v}`, { type: 'postpaid', rateTableId: `rt_${v}` }))],
  mappingGateways: [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'] })],
  routingGateways: vendors.map((v) => routingGateway(`rg_${v}`, { clearingAccountId: `acc_${v}` })).reverse(),
  rates: [rate('rtC', '33', 0.02), rate('rt_cheap', '33', 0.01), rate('rt_mid', '33', 0.015), rate('rt_dear', '33', 0.03)],
}

function setup(over: FixtureInput = {}) {
  const config = { current: policySnapshot({ ...BASE, ...over }) as ConfigSnapshot }
  const controller = new PolicyController({ config, metrics: new Metrics(), random: () => 0.99 })
  const call = (callee = '33155512', extra: string[] = []): Decision => controller.admit(admission(invite(`sip:${callee}@203.0.113.1`, extra), '192.0.2.10', 5060, NOW, callee))
  return { controller, call }
}

function route(d: Decision): RouteDecision {
  if (d.kind !== 'route') throw new Error(`expected a route, got ${JSON.stringify(d)}`)
  return d
}

/** Ends an admitted call whose first target answered (talk > 0) or failed with 503: bills it, which feeds quality. */
function finish(d: RouteDecision, talkSec: number, endedAtMs = NOW): void {
  const t = d.targets[0]!
  const cdr = {
    id: `cdr-${Math.random()}`, callId: 'c1', startedAtMs: endedAtMs - 1000 - talkSec * 1000, answeredAtMs: talkSec > 0 ? endedAtMs - talkSec * 1000 : null,
    endedAtMs, durationSec: talkSec, pddMs: 800, caller: d.caller, callee: d.callee, calleeOut: t.calleeOut, accountId: d.accountId,
    mappingGatewayId: d.mappingGatewayId, routingGatewayId: t.routingGatewayId, terminationReason: talkSec > 0 ? 'CallerHangup' : 'GatewayRejected',
    sipCode: talkSec > 0 ? 200 : 503, endedBy: 'caller',
    attempts: [{ routingGatewayId: t.routingGatewayId, sipCode: talkSec > 0 ? 200 : 503, reason: 'GatewayRejected', startedAtMs: endedAtMs - 2000, endedAtMs, matchedPrefix: t.matchedPrefix, pddMs: 800 }],
    cost: null, sourceIp: '192.0.2.10', sourcePort: 5060, nodeId: 'n1', warningPlayed: false, notes: [],
  } satisfies CdrCreate as CdrCreate
  d.bill?.(cdr)
  d.release()
}

const ids = (d: RouteDecision) => d.targets.map((t) => t.routingGatewayId)

describe('PolicyController routing by money and quality', () => {
  it('tries vendors cheapest first under least-cost routing, skipping the one above the customer price with a CDR note', () => {
    const d = route(setup().call())
    expect(ids(d)).toEqual(['rg_cheap', 'rg_mid'])
    expect(d.rejected).toEqual([expect.objectContaining({ routingGatewayId: 'rg_dear', reason: 'priceAboveCustomer', vendorPrice: 0.03, customerPrice: 0.02 })])
    expect(d.notes).toEqual(["routing skipped for price above the customer's 0.02/min (margin guard): rg_dear 0.03"])
  })

  it('refuses with 503 NoProfitableRoute, naming every vendor skipped for price, when none is under the customer price', () => {
    const { call } = setup({ rates: [rate('rtC', '33', 0.005), rate('rt_cheap', '33', 0.01), rate('rt_mid', '33', 0.015), rate('rt_dear', '33', 0.03)] })
    expect(call()).toMatchObject({
      kind: 'reject', status: 503, reason: 'NoProfitableRoute', recordCdr: true,
      notes: ["routing skipped for price above the customer's 0.005/min (margin guard): rg_cheap 0.01 rg_dear 0.03 rg_mid 0.015"],
    })
  })

  it('keeps vendors priced above the customer for a mapping gateway that allows loss routes', () => {
    const { call } = setup({ mappingGateways: [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'], allowLossRoutes: true })] })
    expect(ids(route(call()))).toEqual(['rg_cheap', 'rg_mid', 'rg_dear'])
  })

  it('demotes the cheapest vendor once its finished calls take its ASR under the minimum, then tries it last', () => {
    const { call, controller } = setup({
      parameters: { SS_GATEWAY_FEE_RATE_ROUTE_SORT_CONFIG: true, SS_GATEWAY_ASR_ROUTE_SORT_CONFIG: 'demote', SS_ROUTE_QUALITY_MIN_CALLS: 3, SS_ROUTE_ASR_MIN_PERCENT: 50, SS_ROUTE_PROBE_PERCENT: 0 },
    })
    for (let i = 0; i < 2; i++) finish(route(call()), 0, NOW - 1000 + i)
    expect(ids(route(call()))[0]).toBe('rg_cheap')
    finish(route(call()), 0, NOW - 500)
    expect(controller.quality.figures('rg_cheap', '', NOW)).toMatchObject({ calls: 3, answered: 0, asr: 0 })
    const d = route(call())
    expect(ids(d)).toEqual(['rg_mid', 'rg_cheap'])
  })

  it('applies the mapping gateway\'s dial plan before rating and routing, and notes the changed number', () => {
    const { call } = setup({
      mappingGateways: [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'], calleeRules: [{ op: 'toE164', countryCode: '33' }] })],
      routingGateways: [routingGateway('rg_cheap', { clearingAccountId: 'acc_cheap', prefixes: ['33'], calleeRules: [{ op: 'addPrefix', prefix: '0007#' }] })],
    })
    const d = route(call('0155512'))
    expect(d.targets[0]).toMatchObject({ routingGatewayId: 'rg_cheap', matchedPrefix: '33', calleeOut: '0007#33155512' })
    expect(d.notes).toEqual(['dial plan: callee 0155512 -> 33155512'])
    expect(d.callee).toBe('0155512')
  })

  it('refuses a callee that an ingress reject rule matches with the rule\'s status and DialPlanRejected', () => {
    const { call } = setup({ mappingGateways: [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'], calleeRules: [{ op: 'reject', prefix: '3389', status: 404 }] })] })
    expect(call('33891234')).toMatchObject({ kind: 'reject', status: 404, reason: 'DialPlanRejected', recordCdr: true, notes: ['dial plan of mgIp refused the callee 33891234 (rule 0)'] })
  })

  it('hands the caller\'s Privacy request to the routing gateway\'s caller-ID rule', () => {
    const { call } = setup({ routingGateways: [routingGateway('rg_cheap', { clearingAccountId: 'acc_cheap', callerId: { presentation: 'pass', privacy: 'pass', assertedIdentity: true } })] })
    expect(route(call('33155512', ['Privacy: user;id'])).targets[0]!.callerId).toEqual({ anonymous: true, privacy: 'user;id', assertedIdentity: '4921198765' })
    expect(route(call()).targets[0]!.callerId).toEqual({ anonymous: false, privacy: null, assertedIdentity: '4921198765' })
  })
})
