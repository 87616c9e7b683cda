// Routing and failover on the wire, SIPp as customer and vendors: docs/architecture.md "Routing" (prefix modes, lock, line limits, priorities, stop-switching codes, failover), SS_SIP_TIMEOUT_INVITE, live config changes and RFC 3261 §17.1.1.2 (no answer at all).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CUSTOMER_ACCOUNT, FAST_TIMER_PARAMS, LOCAL_IP_CUSTOMER, cdrSummary, outcome, runCall, settle, vendorGateway } from './test-support/call-fixtures.js'
import { cdrMark, readCdrs, type RoutingGatewaySeed } from './test-support/config-seed.js'
import { freeUdpPort, startCore, startSipp, startSippUas, type CoreProcess } from './test-support/harness.js'

const VENDORS = [
  'answer', 'reject503', 'next', 'busy', 'afterBusy', 'silent1', 'silent2', 'locked', 'unlocked', 'limited',
  'ext', 'longer', 'liveA', 'liveB',
] as const
type VendorName = (typeof VENDORS)[number]

describe('routing and failover', () => {
  let core: CoreProcess
  const port = {} as Record<VendorName, number>
  let gateways: Record<VendorName, RoutingGatewaySeed>

  beforeAll(async () => {
    for (const v of VENDORS) port[v] = await freeUdpPort()
    const gw = (name: VendorName, over: Partial<RoutingGatewaySeed>): RoutingGatewaySeed => vendorGateway(`rgw_${name}`, port[name], over)
    gateways = {
      answer: gw('answer', { prefixes: ['11'] }),
      reject503: gw('reject503', { prefixes: ['12'], priority: 0 }),
      next: gw('next', { prefixes: ['12'], priority: 1 }),
      busy: gw('busy', { prefixes: ['13'], priority: 0, stopSwitchingCodes: [486] }),
      afterBusy: gw('afterBusy', { prefixes: ['13'], priority: 1 }),
      silent1: gw('silent1', { prefixes: ['14'], priority: 0 }),
      silent2: gw('silent2', { prefixes: ['14'], priority: 1 }),
      locked: gw('locked', { prefixes: ['15'], priority: 0, lockType: 'bar_all' }),
      unlocked: gw('unlocked', { prefixes: ['15'], priority: 1 }),
      limited: gw('limited', { prefixes: ['16'], lineLimit: 1 }),
      // The example of docs/architecture.md "Routing": A `00331` locked, B `0033`; 0033155 goes to B in extension mode only.
      longer: gw('longer', { prefixes: ['00331'], lockType: 'bar_all' }),
      ext: gw('ext', { prefixes: ['0033'], prefixMode: 'extension' }),
      liveA: gw('liveA', { prefixes: ['17'], priority: 0 }),
      liveB: gw('liveB', { prefixes: ['17'], priority: 1 }),
    }
    core = await startCore({}, {
      config: {
        params: FAST_TIMER_PARAMS,
        accounts: [CUSTOMER_ACCOUNT],
        mappingGateways: [LOCAL_IP_CUSTOMER],
        routingGateways: Object.values(gateways),
      },
    })
  })
  afterAll(async () => {
    await core?.stop()
  })

  it('routes by prefix to the vendor, relays its answer and writes one CallerHangup CDR with one attempt', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '1100', durationMs: 200 },
      vendors: [{ scenario: 'uas-invite-ring-then-answer-expect-bye.xml', port: port.answer }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toMatchObject({
      reason: 'CallerHangup', sipCode: 200, endedBy: 'caller', routingGatewayId: 'rgw_answer', attempts: [expect.stringMatching(/^rgw_answer:200:/)],
    })
    expect(r.cdrs[0]!.answeredAtMs, r.trace).not.toBeNull()
    expect(r.cdrs[0]!.calleeOut).toBe('1100')
  })

  it('answers 503 NoAvailableRouter when no routing gateway prefix matches the callee, without any attempt', async () => {
    const r = await runCall({ core, customer: { scenario: 'uac-invite-expect-503.xml', service: '9999' } })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toEqual({ reason: 'NoAvailableRouter', sipCode: 503, endedBy: 'switch', routingGatewayId: null, attempts: [] })
  })

  it('fails over from a 503 gateway to the next by priority and writes one CDR with two attempts', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '1200', durationMs: 200 },
      vendors: [
        { scenario: 'uas-invite-reject-503.xml', port: port.reject503 },
        { scenario: 'uas-invite-answer-expect-bye.xml', port: port.next },
      ],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(r.vendors.map(outcome), r.trace).toEqual([{ ok: 1, failed: 0 }, { ok: 1, failed: 0 }])
    expect(cdrSummary(r.cdrs[0]), r.trace).toMatchObject({
      reason: 'CallerHangup', sipCode: 200, routingGatewayId: 'rgw_next',
      attempts: [expect.stringMatching(/^rgw_reject503:503:/), expect.stringMatching(/^rgw_next:200:/)],
    })
  })

  it('passes a stop-switching code (486) straight to the caller without trying the next gateway', async () => {
    const next = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: port.afterBusy, timeoutSec: 10 })
    const r = await runCall({
      core,
      customer: { scenario: 'uac-invite-expect-486.xml', service: '1300' },
      vendors: [{ scenario: 'uas-invite-reject-486.xml', port: port.busy }],
    })
    const untouched = await next.stop()
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(untouched.successful + untouched.failed, 'the gateway after the stop code got a call').toBe(0)
    expect(cdrSummary(r.cdrs[0]), r.trace).toEqual({
      reason: 'GatewayRejected', sipCode: 486, endedBy: 'callee', routingGatewayId: 'rgw_busy', attempts: ['rgw_busy:486:GatewayRejected'],
    })
  })

  it('tries the next gateway when an INVITE gets no response within SS_SIP_TIMEOUT_INVITE, then answers 408 InviteTimeout', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-invite-expect-408.xml', service: '1400' },
      vendors: [
        { scenario: 'uas-invite-no-response.xml', port: port.silent1, durationMs: 4000 },
        { scenario: 'uas-invite-no-response.xml', port: port.silent2, durationMs: 3000 },
      ],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    // both vendors saw the INVITE and nothing else (no CANCEL without a provisional response, RFC 3261 §9.1)
    expect(r.vendors.map(outcome), r.trace).toEqual([{ ok: 1, failed: 0 }, { ok: 1, failed: 0 }])
    expect(cdrSummary(r.cdrs[0]), r.trace).toEqual({
      reason: 'InviteTimeout', sipCode: 408, endedBy: 'switch', routingGatewayId: 'rgw_silent2',
      attempts: ['rgw_silent1:-:InviteTimeout', 'rgw_silent2:-:InviteTimeout'],
    })
  })

  it('skips a locked (bar_all) gateway and routes to the next one', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '1500', durationMs: 100 },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: port.unlocked }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toMatchObject({ reason: 'CallerHangup', routingGatewayId: 'rgw_unlocked', attempts: [expect.stringMatching(/^rgw_unlocked:200:/)] })
  })

  it('answers 503 AllGatewayBusy while the only matching gateway has its one line in use', async () => {
    const mark = await cdrMark(core.database.db)
    const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: port.limited, timeoutSec: 20, trace: true })
    const first = await startSipp({
      scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: 1, service: '1600', durationMs: 2500, timeoutSec: 20, trace: true,
    })
    await new Promise((ok) => setTimeout(ok, 700)) // the first call is answered within milliseconds on loopback
    const second = await runCall({ core, customer: { scenario: 'uac-invite-expect-503.xml', service: '1601' } })
    const firstResult = await first.done()
    await settle(vendor, 5_000)
    expect(outcome(second.customer), second.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(firstResult), second.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(second.cdrs[0]), second.trace).toEqual({ reason: 'AllGatewayBusy', sipCode: 503, endedBy: 'switch', routingGatewayId: null, attempts: [] })
    // The first call's CDR too, so it cannot arrive after the next test's mark and be read as that test's call.
    const both = await readCdrs(core.database.db, { after: mark, count: 2 })
    expect(both.map((c) => c.routingGatewayId), second.trace).toHaveLength(2)
    expect(both.map((c) => c.routingGatewayId), second.trace).toEqual(expect.arrayContaining(['rgw_limited', null]))
  })

  it('routes 0033155 to the 0033 gateway in extension mode when the 00331 gateway is locked, and answers 503 NoAvailableRouter in expiration mode', async () => {
    const viaExtension = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '0033155', durationMs: 100 },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: port.ext }],
    })
    expect(outcome(viaExtension.customer), viaExtension.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(viaExtension.cdrs[0]), viaExtension.trace).toMatchObject({ reason: 'CallerHangup', routingGatewayId: 'rgw_ext' })

    await core.updateConfig({ routingGateways: [{ ...gateways.ext, prefixMode: 'expiration' }] })
    try {
      const viaExpiration = await runCall({ core, customer: { scenario: 'uac-invite-expect-503.xml', service: '0033155' } })
      expect(outcome(viaExpiration.customer), viaExpiration.trace).toEqual({ ok: 1, failed: 0 })
      expect(cdrSummary(viaExpiration.cdrs[0]), viaExpiration.trace).toEqual({
        reason: 'NoAvailableRouter', sipCode: 503, endedBy: 'switch', routingGatewayId: null, attempts: [],
      })
    } finally {
      await core.updateConfig({ routingGateways: [gateways.ext] })
    }
  })

  it('picks up a config change live: after locking the first gateway the next call goes to the second', async () => {
    const before = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '1700', durationMs: 100 },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: port.liveA }],
    })
    expect(cdrSummary(before.cdrs[0]), before.trace).toMatchObject({ reason: 'CallerHangup', routingGatewayId: 'rgw_liveA' })

    await core.updateConfig({ routingGateways: [{ ...gateways.liveA, lockType: 'bar_all' }] })
    const after = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '1700', durationMs: 100 },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: port.liveB }],
    })
    expect(outcome(after.customer), after.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(after.cdrs[0]), after.trace).toMatchObject({ reason: 'CallerHangup', routingGatewayId: 'rgw_liveB', attempts: [expect.stringMatching(/^rgw_liveB:200:/)] })
  })
})
