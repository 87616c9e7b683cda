// Covers billing in the policy (README "Billing in the core"): rate choice and NoRateForDestination, the first billing period, the prepaid money cap with its increments and per-call reservations, CDR cost and vendor cost, vendor skipping on live clearing balances.
import { describe, expect, it } from 'vitest'
import type { CdrCreate } from '../../shared/entities/cdr.js'
import type { Decision, RouteDecision } from '../call/ports.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import { Metrics } from '../lib/metrics.js'
import { PolicyController } from './controller.js'
import { account, admission, invite, mappingGateway, policySnapshot, rate, routingGateway, type FixtureInput } from './test-support/policy-inputs.js'

const NOW = Date.UTC(2024, 0, 3, 12)
const customer = (body: Record<string, unknown> = {}) => account('acc1', { type: 'prepaid', balance: 1, rateTableId: 'rtC', ...body })
const vendor = (balance = 100) => account('vend', { type: 'prepaid', balance, rateTableId: 'rtV' })
/** 0.6 per minute = 0.01 per second, billed per second, for numbers starting 49; the vendor pays 0.3 for everything. */
const RATES = [rate('rtC', '49', 0.6, 1, 1), rate('rtV', '', 0.3, 1, 1)]

function setup(over: FixtureInput = {}) {
  const config = { current: policySnapshot({
    accounts: [customer(), vendor()],
    mappingGateways: [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'] })],
    routingGateways: [routingGateway('rg1', { clearingAccountId: 'vend' })],
    rates: RATES,
    ...over,
  }) as ConfigSnapshot }
  const controller = new PolicyController({ config, metrics: new Metrics(), random: () => 0 })
  const call = (callee = '4930123'): Decision => controller.admit(admission(invite(), '192.0.2.10', 5060, NOW, callee))
  return { config, controller, call }
}

function asRoute(d: Decision): RouteDecision {
  if (d.kind !== 'route') throw new Error(`expected a route, got ${JSON.stringify(d)}`)
  return d
}

/** Answers the call on its first target; the seconds the money pays for (null = no money cap). */
function answer(d: RouteDecision): number | null {
  return d.answered?.(d.targets[0]!, NOW) ?? null
}

/** Ends the call after `talkSec` (0 = unanswered): bills the CDR, releases the call, returns the CDR. */
function end(d: RouteDecision, talkSec: number, id = `cdr-${Math.random()}`): CdrCreate {
  const t = d.targets[0]!
  const cdr = {
    id, callId: 'c1', startedAtMs: NOW, answeredAtMs: talkSec > 0 ? NOW : null, endedAtMs: NOW + talkSec * 1000, durationSec: talkSec,
    pddMs: null, caller: d.caller, callee: d.callee, calleeOut: t.calleeOut, accountId: d.accountId, mappingGatewayId: d.mappingGatewayId,
    routingGatewayId: t.routingGatewayId, terminationReason: 'CallerHangup', sipCode: 200, endedBy: 'caller', attempts: [], cost: null,
    sourceIp: '192.0.2.10', sourcePort: 5060, sourceTransport: 'udp', nodeId: 'n1', warningPlayed: false, notes: [],
  } satisfies CdrCreate as CdrCreate
  d.bill?.(cdr)
  d.release()
  return cdr
}

describe('PolicyController billing', () => {
  describe('before the call', () => {
    it('refuses a callee the account rate table has no price for with 503 NoRateForDestination', () => {
      expect(setup().call('331234')).toMatchObject({ kind: 'reject', status: 503, reason: 'NoRateForDestination', recordCdr: true })
    })

    it('prices by the longest prefix of the callee as received', () => {
      const { call } = setup({ rates: [rate('rtC', '4', 60, 1, 1), rate('rtC', '4930', 0.6, 1, 1), rate('rtV', '', 0, 1, 1)] })
      expect(answer(asRoute(call()))).toBe(100)
    })

    it('admits an account without a rate table unrated: no money cap, null cost (the demo postpaid account)', () => {
      const { call } = setup({ accounts: [account('acc1', { type: 'postpaid', balance: 0 }), vendor()] })
      const d = asRoute(call('331234'))
      expect(answer(d)).toBeNull()
      expect(end(d, 30)).toMatchObject({ cost: null, vendorCost: 0.15 })
    })

    it('refuses a prepaid account that cannot pay the first billing period with 503 AccountBalanceNotEnough', () => {
      const rates = [rate('rtC', '49', 1, 60, 60), rate('rtV', '', 0.3, 1, 1)]
      expect(setup({ accounts: [customer({ balance: 0.99 }), vendor()], rates }).call()).toMatchObject({ kind: 'reject', status: 503, reason: 'AccountBalanceNotEnough' })
      // The overdraft counts: 0.5 + 0.5 pays the first minute.
      expect(setup({ accounts: [customer({ balance: 0.5, overdraftLimit: 0.5 }), vendor()], rates }).call().kind).toBe('route')
    })

    it('still refuses an unrated prepaid account with nothing left with 503 AccountBalanceNotEnough', () => {
      const { call } = setup({ accounts: [customer({ balance: 0, rateTableId: null }), vendor()] })
      expect(call()).toMatchObject({ kind: 'reject', status: 503, reason: 'AccountBalanceNotEnough' })
    })
  })

  describe('during the call', () => {
    it('caps a prepaid call at the seconds its balance pays on the increment grid (30/6 at 0.6/min with 1.00 -> 96 s)', () => {
      const { call } = setup({ rates: [rate('rtC', '49', 0.6, 30, 6), rate('rtV', '', 0.3, 1, 1)] })
      expect(answer(asRoute(call()))).toBe(96)
    })

    it('gives a postpaid rated account no money cap', () => {
      expect(answer(asRoute(setup({ accounts: [customer({ type: 'postpaid', balance: 0 }), vendor()] }).call()))).toBeNull()
    })

    it('lets two concurrent calls of one account spend no more than its balance together', () => {
      const { call } = setup()
      const first = asRoute(call())
      const second = asRoute(call())
      expect(answer(first)).toBe(100) // 1.00 at 0.01/s, all reserved by the first call
      expect(answer(second)).toBe(0) // nothing unreserved is left: the call layer ends it at once
      expect(call()).toMatchObject({ kind: 'reject', reason: 'AccountBalanceNotEnough' })
      end(second, 0)
      expect(end(first, 40).cost).toBe(0.4)
      const third = asRoute(call())
      expect(answer(third)).toBe(60)
    })

    it('reserves only up to the duration cap, so another call can use the rest', () => {
      const { call } = setup({ accounts: [customer({ maxCallDurationSec: 30 }), vendor()] })
      const first = asRoute(call())
      expect(answer(first)).toBe(100) // the call layer keeps the 30 s cap (MaxCallDurationExceeded)
      expect(answer(asRoute(call()))).toBe(70)
      expect(first.maxCallDurationSec).toBe(30)
    })

    it('releases a reservation once, however often the call is released', () => {
      const { call, controller } = setup()
      const d = asRoute(call())
      answer(d)
      expect(controller.ledger.reservedBy('acc1')).toBe(1)
      d.release()
      d.release()
      expect(controller.ledger.reservedBy('acc1')).toBe(0)
    })
  })

  describe('after the call', () => {
    it('bills the customer on the callee and the vendor on the rewritten callee at its clearing account rate', () => {
      const { call } = setup({
        routingGateways: [routingGateway('rg1', { clearingAccountId: 'vend', calleeRewrite: { strip: 2, add: '0' } })],
        rates: [rate('rtC', '49', 0.6, 1, 1), rate('rtV', '0', 0.3, 1, 1), rate('rtV', '49', 9, 1, 1)],
      })
      const d = asRoute(call('4930123'))
      answer(d)
      expect(end(d, 61)).toMatchObject({ calleeOut: '030123', cost: 0.61, vendorCost: 0.305 })
    })

    it('hands the call layer the customer and vendor rates to journal with the answer', () => {
      const d = asRoute(setup().call())
      answer(d)
      expect(d.tariff?.()).toEqual({
        customer: expect.objectContaining({ prefix: '49', pricePerMinute: 0.6, firstIncrementSec: 1, nextIncrementSec: 1 }),
        vendor: expect.objectContaining({ prefix: '', pricePerMinute: 0.3 }),
        precision: 4,
      })
    })

    it('rounds costs to SERVER_BILLING_FEE_PRECISION digits', () => {
      const { call } = setup({ parameters: { SERVER_BILLING_FEE_PRECISION: 2 }, rates: [rate('rtC', '49', 0.7, 1, 1), rate('rtV', '', 0.3, 1, 1)] })
      const d = asRoute(call())
      answer(d)
      expect(end(d, 10)).toMatchObject({ cost: 0.12, vendorCost: 0.05 }) // 0.11666.. and 0.05
    })

    it('charges an unanswered rated call nothing and the vendor nothing', () => {
      const d = asRoute(setup().call())
      expect(end(d, 0)).toMatchObject({ cost: 0, vendorCost: null })
    })

    it('counts an ended call against the balance until the writer reports it, then uses the balance it read back', () => {
      const { call, controller, config } = setup()
      const d = asRoute(call())
      answer(d)
      const cdr = end(d, 60)
      expect(controller.ledger.available(config.current, config.current.accounts.get('acc1')!)).toBeCloseTo(0.4)
      controller.ledger.onBilled({ cdrIds: [cdr.id], balances: [{ accountId: 'acc1', balance: 0.4 }, { accountId: 'vend', balance: 99.7 }] })
      expect(controller.ledger.available(config.current, config.current.accounts.get('acc1')!)).toBeCloseTo(0.4)
      // A newer snapshot (a payment bumped config_version) wins over the writer's older read-back.
      const paid = policySnapshot({
        accounts: [customer({ balance: 5 }), vendor(99.7)], mappingGateways: [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'] })],
        routingGateways: [routingGateway('rg1', { clearingAccountId: 'vend' })], rates: RATES,
      })
      const later = { ...paid, loadedAtMs: Date.now() + 1000 } as ConfigSnapshot
      expect(controller.ledger.available(later, later.accounts.get('acc1')!)).toBe(5)
    })
  })

  describe('vendor clearing', () => {
    it('skips a routing gateway once vendor costs take its clearing balance under the limit', () => {
      const { call, controller } = setup({
        parameters: { SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT: 99.8 },
        accounts: [customer({ balance: 10 }), vendor()],
        routingGateways: [routingGateway('rg1', { clearingAccountId: 'vend' }), routingGateway('rg2', { priority: 5 })],
      })
      const d = asRoute(call())
      expect(d.targets.map((t) => t.routingGatewayId)).toEqual(['rg1', 'rg2'])
      answer(d)
      const cdr = end(d, 60) // vendor cost 0.3: 100 -> 99.7 < 99.8
      const next = asRoute(call())
      expect(next.targets.map((t) => t.routingGatewayId)).toEqual(['rg2'])
      expect(next.rejected).toEqual([expect.objectContaining({ routingGatewayId: 'rg1', reason: 'clearingBalanceLow' })])
      controller.ledger.onBilled({ cdrIds: [cdr.id], balances: [{ accountId: 'vend', balance: 99.7 }] })
      expect(asRoute(call()).targets.map((t) => t.routingGatewayId)).toEqual(['rg2'])
    })
  })
})
