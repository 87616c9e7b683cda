// Call flows through the B2BUA on the wire, SIPp on both sides: RFC 3261 §9 (CANCEL, 487 both ways), §14 (re-INVITE passed through), §15 (BYE from either side), RFC 3262 (PRACK on both legs, early media for a caller without 100rel), and the ringing timer SS_SIP_TIMEOUT_RINGING (GatewayTimeout 408).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CUSTOMER_ACCOUNT, FAST_TIMER_PARAMS, LOCAL_IP_CUSTOMER, cdrSummary, outcome, runCall, vendorGateway } from './test-support/call-fixtures.js'
import { freeUdpPort, startCore, type CoreProcess } from './test-support/harness.js'

describe('call flows through the B2BUA', () => {
  let core: CoreProcess
  let vendorPort: number

  beforeAll(async () => {
    vendorPort = await freeUdpPort()
    core = await startCore({}, {
      config: {
        params: FAST_TIMER_PARAMS,
        accounts: [CUSTOMER_ACCOUNT],
        mappingGateways: [LOCAL_IP_CUSTOMER],
        routingGateways: [vendorGateway('rgw_vendor', vendorPort)],
      },
    })
  })
  afterAll(async () => {
    await core?.stop()
  })

  it('relays the caller\'s BYE to the vendor and writes CallerHangup with the answer time and duration', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '2100', durationMs: 1200 },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    const cdr = r.cdrs[0]!
    expect(cdrSummary(cdr), r.trace).toMatchObject({ reason: 'CallerHangup', sipCode: 200, endedBy: 'caller', routingGatewayId: 'rgw_vendor' })
    expect(cdr.answeredAtMs, r.trace).not.toBeNull()
    expect(cdr.endedAtMs - cdr.answeredAtMs!, r.trace).toBeGreaterThanOrEqual(1000)
    expect(cdr.durationSec, r.trace).toBeGreaterThanOrEqual(1)
    // times are integer epoch ms in the database (ISO strings only in the API)
    expect([cdr.startedAtMs, cdr.answeredAtMs, cdr.endedAtMs, cdr.pddMs].every(Number.isInteger), r.trace).toBe(true)
  })

  it('relays the vendor\'s BYE to the caller and writes CalleeHangup', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-bye-from-callee-expect-200.xml', service: '2200' },
      vendors: [{ scenario: 'uas-invite-answer-then-bye-expect-200.xml', port: vendorPort, durationMs: 300 }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toMatchObject({ reason: 'CalleeHangup', sipCode: 200, endedBy: 'callee', routingGatewayId: 'rgw_vendor' })
  })

  it('passes a mid-call re-INVITE to the vendor and its 200 back, and the call still ends with BYE', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-reinvite-expect-200.xml', service: '2300' },
      vendors: [{ scenario: 'uas-reinvite-accept-expect-bye.xml', port: vendorPort }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toMatchObject({ reason: 'CallerHangup', sipCode: 200, endedBy: 'caller', routingGatewayId: 'rgw_vendor' })
  })

  it('completes a call with PRACKs on both legs: the vendor\'s reliable 183 PRACKed by the core, the caller\'s reliable 183 PRACKed by the caller (RFC 3262)', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-100rel-prack-expect-200.xml', service: '2310', durationMs: 300 },
      vendors: [{ scenario: 'uas-invite-183-100rel-expect-prack.xml', port: vendorPort }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toMatchObject({ reason: 'CallerHangup', sipCode: 200, routingGatewayId: 'rgw_vendor' })
    expect(r.cdrs[0]!.pddMs, r.trace).not.toBeNull()
  })

  it('gives a caller without 100rel the vendor\'s early media from a reliable 183, and its SDP again in the 200 the vendor sent without one', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-early-media-expect-200.xml', service: '2320', durationMs: 300 },
      vendors: [{ scenario: 'uas-invite-183-100rel-expect-prack.xml', port: vendorPort }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toMatchObject({ reason: 'CallerHangup', sipCode: 200, routingGatewayId: 'rgw_vendor' })
  })

  it('answers the caller\'s CANCEL after ringing with 200 and 487, CANCELs the vendor (200, 487, ACK) and writes CallerCancel', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-cancel-after-ringing-expect-487.xml', service: '2400' },
      vendors: [{ scenario: 'uas-invite-ring-expect-cancel.xml', port: vendorPort }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toEqual({
      reason: 'CallerCancel', sipCode: 487, endedBy: 'caller', routingGatewayId: 'rgw_vendor', attempts: ['rgw_vendor:487:CallerCancel'],
    })
    expect(r.cdrs[0]!.answeredAtMs).toBeNull()
    expect(r.cdrs[0]!.pddMs, r.trace).not.toBeNull()
  })

  it('gives up a vendor that rings past SS_SIP_TIMEOUT_RINGING: CANCEL to it, 408 GatewayTimeout to the caller', async () => {
    const started = Date.now()
    const r = await runCall({
      core,
      customer: { scenario: 'uac-invite-expect-408.xml', service: '2500' },
      vendors: [{ scenario: 'uas-invite-ring-expect-cancel.xml', port: vendorPort }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(Date.now() - started, 'the ringing timer is 2 s').toBeGreaterThanOrEqual(FAST_TIMER_PARAMS.SS_SIP_TIMEOUT_RINGING * 1000)
    expect(cdrSummary(r.cdrs[0]), r.trace).toEqual({
      reason: 'GatewayTimeout', sipCode: 408, endedBy: 'switch', routingGatewayId: 'rgw_vendor', attempts: ['rgw_vendor:487:GatewayTimeout'],
    })
  })
})
