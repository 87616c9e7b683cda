// Routing by money and quality on the wire, SIPp as customer and vendors (docs/routing.md): the cheapest of three vendors, failover to the next cheapest, the margin guard's skip named in the CDR and 503 NoProfitableRoute, quality demotion after the minimum calls and recovery through probes, and a dial plan to E.164 with the vendor's tech prefix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CdrRow } from '../../shared/entities/cdr.js'
import { cdrSummary, LOCAL_IP_CUSTOMER, outcome, runCall, settle, vendorGateway } from './test-support/call-fixtures.js'
import { brief, cdrMark, readCdrs, type AccountSeed, type RateSeed, type RoutingGatewaySeed, type TestConfig } from './test-support/config-seed.js'
import { describeSipp, freeUdpPort, runSipp, startCore, startSippUas, type CoreProcess, type SippProcess } from './test-support/harness.js'

/** The customer pays 0.025/min for 33 and 0.01 for 44. */
const CUSTOMER: AccountSeed = { id: 'acc_customer', name: 'customer', type: 'postpaid', rateTableId: 'rt_customer' }
const VENDOR_PRICES = { a: 0.03, b: 0.01, c: 0.02 } as const
type Vendor = keyof typeof VENDOR_PRICES

/** Three vendors for 33, each with its clearing account and rate table; A also serves 44 (above the customer's price). */
function moneyConfig(port: Record<Vendor, number>, params: TestConfig['params'] = {}): TestConfig {
  const vendors = Object.keys(VENDOR_PRICES) as Vendor[]
  const rates: RateSeed[] = [
    { id: 'rate_c33', rateTableId: 'rt_customer', prefix: '33', pricePerMinute: 0.025, firstIncrementSec: 1, nextIncrementSec: 1 },
    { id: 'rate_c44', rateTableId: 'rt_customer', prefix: '44', pricePerMinute: 0.01, firstIncrementSec: 1, nextIncrementSec: 1 },
    ...vendors.map((v) => ({ id: `rate_${v}`, rateTableId: `rt_${v}`, prefix: '', pricePerMinute: VENDOR_PRICES[v], firstIncrementSec: 1, nextIncrementSec: 1 })),
  ]
  return {
    params: { SS_GATEWAY_FEE_RATE_ROUTE_SORT_CONFIG: true, SS_SIP_TIMEOUT_INVITE: 2, ...params },
    rateTables: [{ id: 'rt_customer', name: 'customer' }, ...vendors.map((v) => ({ id: `rt_${v}`, name: `vendor ${v}` }))],
    rates,
    // What we prepaid each vendor: its costs come off it, and routing skips it under SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT (0).
    accounts: [CUSTOMER, ...vendors.map((v): AccountSeed => ({ id: `acc_${v}`, name: `vendor ${v}`, type: 'prepaid', balance: 100, rateTableId: `rt_${v}` }))],
    mappingGateways: [{ ...LOCAL_IP_CUSTOMER, accountId: CUSTOMER.id }],
    routingGateways: vendors.map((v): RoutingGatewaySeed => vendorGateway(`rgw_${v}`, port[v], { prefixes: v === 'a' ? ['33', '44'] : ['33'], clearingAccountId: `acc_${v}` })),
  }
}

const ports = async (): Promise<Record<Vendor, number>> => ({ a: await freeUdpPort(), b: await freeUdpPort(), c: await freeUdpPort() })

describe('least-cost routing and the margin guard', () => {
  let core: CoreProcess
  let port: Record<Vendor, number>

  beforeAll(async () => {
    port = await ports()
    core = await startCore({}, { config: moneyConfig(port) })
  })
  afterAll(async () => {
    await core?.stop()
  })

  it('sends a call to the cheapest of three vendors priced differently for the prefix, naming the one above the customer price in the CDR', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '33155512', durationMs: 200 },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: port.b }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toMatchObject({ reason: 'CallerHangup', routingGatewayId: 'rgw_b', attempts: ['rgw_b:200:CallerHangup'] })
    expect(r.cdrs[0]!.notes, r.trace).toContain("routing skipped for price above the customer's 0.025/min (margin guard): rgw_a 0.03")
    expect(r.cdrs[0]!.attempts[0], r.trace).toMatchObject({ matchedPrefix: '33' })
  })

  it('fails over from a 503 of the cheapest vendor to the next cheapest', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '33155512', durationMs: 200 },
      vendors: [{ scenario: 'uas-invite-reject-503.xml', port: port.b }, { scenario: 'uas-invite-answer-expect-bye.xml', port: port.c }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toMatchObject({
      reason: 'CallerHangup', routingGatewayId: 'rgw_c', attempts: ['rgw_b:503:GatewayRejected', 'rgw_c:200:CallerHangup'],
    })
  })

  it('refuses with 503 NoProfitableRoute when the only vendor costs more than the customer pays, naming it and its price in the CDR', async () => {
    const mark = await cdrMark(core.database.db)
    const r = await runSipp({ scenario: 'uac-invite-expect-503.xml', target: core.target, calls: 1, service: '44207123', timeoutSec: 10, trace: true })
    expect(outcome(r), describeSipp('customer', r)).toEqual({ ok: 1, failed: 0 })
    const [cdr] = await readCdrs(core.database.db, { after: mark, count: 1 })
    expect(cdr, JSON.stringify(cdr && brief(cdr))).toMatchObject({ terminationReason: 'NoProfitableRoute', sipCode: 503, attempts: [] })
    expect(cdr!.notes).toEqual(["routing skipped for price above the customer's 0.01/min (margin guard): rgw_a 0.03"])
  })

  it('turns 0 + national number into E.164 before rating and routing, and the vendor receives its tech prefix', async () => {
    const config = moneyConfig(port)
    await core.updateConfig({
      mappingGateways: [{ ...config.mappingGateways![0]!, calleeRules: [{ op: 'toE164', countryCode: '33' }] }],
      routingGateways: [{ ...config.routingGateways![1]!, calleeRules: [{ op: 'addPrefix', prefix: '7777#' }] }],
    })
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '0155512345', durationMs: 200 },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: port.b }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    // RFC 3261 §25.1: the # of the tech prefix is escaped in the Request-URI's user part.
    expect(r.vendors[0]!.messages, r.trace).toMatch(/INVITE sip:7777%2333155512345@127\.0\.0\.1:\d+ SIP\/2\.0/)
    expect(r.cdrs[0], r.trace).toMatchObject({ callee: '0155512345', calleeOut: '7777#33155512345', routingGatewayId: 'rgw_b' })
    expect(r.cdrs[0]!.notes, r.trace).toContain('dial plan: callee 0155512345 -> 33155512345')
  })
})

describe('quality routing', () => {
  let core: CoreProcess
  let port: Record<Vendor, number>
  /** Every vendor SIPp of this block, stopped at its end even when a test fails half-way. */
  const vendors: SippProcess[] = []
  const calls: CdrRow[] = []
  const vendor = async (scenario: string, p: number, n: number): Promise<SippProcess> => {
    const v = await startSippUas({ scenario, port: p, calls: n, timeoutSec: 110, trace: true })
    vendors.push(v)
    return v
  }

  beforeAll(async () => {
    port = await ports()
    // Judged after 4 attempts, demoted under 50% ASR, a window of 6 attempts; no probes until the test turns them on.
    core = await startCore({}, {
      config: moneyConfig(port, {
        SS_GATEWAY_ASR_ROUTE_SORT_CONFIG: 'demote', SS_ROUTE_QUALITY_MIN_CALLS: 4, SS_ROUTE_ASR_MIN_PERCENT: 50,
        SS_ROUTE_QUALITY_WINDOW_CALLS: 6, SS_ROUTE_PROBE_PERCENT: 0,
      }),
    })
    // The next cheapest vendor answers every call of this block.
    await vendor('uas-invite-answer-expect-bye.xml', port.c, 100)
  })
  afterAll(async () => {
    for (const v of vendors) await v.stop()
    await core?.stop()
  })

  /** One call to 33 (the customer hangs up after 100 ms); its CDR. */
  async function call(): Promise<CdrRow> {
    const mark = await cdrMark(core.database.db)
    const r = await runSipp({ scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: 1, service: '33155512', durationMs: 100, timeoutSec: 10, trace: true })
    const [cdr] = await readCdrs(core.database.db, { after: mark, count: 1 })
    expect(outcome(r), describeSipp('customer', r)).toEqual({ ok: 1, failed: 0 })
    calls.push(cdr!)
    return cdr!
  }
  const firstTried = (c: CdrRow) => c.attempts[0]?.routingGatewayId

  it('keeps trying the cheapest vendor while it has fewer than the minimum calls, then demotes it once its ASR collapses', async () => {
    const cheap = await vendor('uas-invite-reject-503.xml', port.b, 4)
    for (let i = 0; i < 4; i++) {
      expect(cdrSummary(await call()), JSON.stringify(calls.map(brief))).toMatchObject({ attempts: ['rgw_b:503:GatewayRejected', 'rgw_c:200:CallerHangup'] })
    }
    await settle(cheap, 5_000)
    // 4 attempts at 0% ASR: demoted behind the dearer vendor, which answers, so the cheap one is not even tried.
    expect(cdrSummary(await call()), JSON.stringify(calls.map(brief))).toMatchObject({ routingGatewayId: 'rgw_c', attempts: ['rgw_c:200:CallerHangup'] })
  })

  it('probes the demoted vendor on a share of calls and takes it back first once its answers lift its ASR', async () => {
    await vendor('uas-invite-answer-expect-bye.xml', port.b, 40)
    await core.updateConfig({ params: { SS_ROUTE_PROBE_PERCENT: 50 } })
    // Every probe answers: after 3 of them the window of 6 holds 3 of 6 answered, 50%, no longer under the minimum.
    const probes: CdrRow[] = []
    const demoted: CdrRow[] = []
    for (let i = 0; i < 40 && probes.length < 3; i++) {
      const c = await call()
      if (firstTried(c) === 'rgw_b') probes.push(c)
      else demoted.push(c)
    }
    const log = JSON.stringify(calls.map(brief))
    expect(probes, log).toHaveLength(3)
    for (const p of probes) expect(cdrSummary(p), log).toMatchObject({ routingGatewayId: 'rgw_b', attempts: ['rgw_b:200:CallerHangup'] })
    for (const d of demoted) expect(firstTried(d), log).toBe('rgw_c')
    for (let i = 0; i < 3; i++) expect(firstTried(await call()), JSON.stringify(calls.map(brief))).toBe('rgw_b')
  })
})
