// A vendor's 302 on the wire, SIPp on both legs, per SS_REDIRECT_MODE: failover (the default: a failure, 480 to the caller when no gateway is left), relay (the 302 with its Contact to the caller, GatewayRedirected) and follow (the core sends the call to the Contact, a configured routing gateway, itself); the CDR names every try.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CUSTOMER_ACCOUNT, LOCAL_IP_CUSTOMER, cdrSummary, outcome, runCall, vendorGateway } from './test-support/call-fixtures.js'
import { freeUdpPort, startCore, type CoreProcess } from './test-support/harness.js'

describe('vendor redirects (3xx)', () => {
  let core: CoreProcess
  let portA: number
  let portB: number
  /** Vendor A redirects every call to the number 999777 at vendor B's address. */
  let redirectArgs: string[]

  beforeAll(async () => {
    portA = await freeUdpPort()
    portB = await freeUdpPort()
    redirectArgs = ['-key', 'redirect_user', '999777', '-key', 'redirect_port', String(portB)]
    core = await startCore({}, {
      config: {
        accounts: [CUSTOMER_ACCOUNT],
        mappingGateways: [LOCAL_IP_CUSTOMER],
        // B routes only 999 numbers: a call reaches it only through A's redirect.
        routingGateways: [vendorGateway('rgw_a', portA), vendorGateway('rgw_b', portB, { prefixes: ['999'] })],
      },
    })
  })
  afterAll(async () => {
    await core?.stop()
  })

  it('failover (default): takes the 302 as a failure and, with no gateway left, answers 480 rather than a redirect without its target', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-invite-expect-480.xml', service: '3100' },
      vendors: [{ scenario: 'uas-invite-redirect-302.xml', port: portA, extraArgs: redirectArgs }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toEqual({
      reason: 'GatewayRejected', sipCode: 480, endedBy: 'callee', routingGatewayId: 'rgw_a', attempts: ['rgw_a:302:GatewayRejected'],
    })
    expect(r.cdrs[0]!.notes.join('\n'), r.trace).toContain(`routing gateway rgw_a redirected (302) to sip:999777@127.0.0.1:${portB}: taken as a failure`)
  })

  it('relay: passes the 302 with its Contact to the caller and writes GatewayRedirected', async () => {
    await core.updateConfig({ params: { SS_REDIRECT_MODE: 'relay' } })
    const r = await runCall({
      core,
      customer: { scenario: 'uac-invite-expect-302-contact.xml', service: '3200' },
      vendors: [{ scenario: 'uas-invite-redirect-302.xml', port: portA, extraArgs: redirectArgs }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toEqual({
      reason: 'GatewayRedirected', sipCode: 302, endedBy: 'callee', routingGatewayId: 'rgw_a', attempts: ['rgw_a:302:GatewayRedirected'],
    })
  })

  it('follow: sends the call to the Contact (routing gateway B) with the redirect\'s number; the CDR has both tries', async () => {
    await core.updateConfig({ params: { SS_REDIRECT_MODE: 'follow' } })
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '3300', durationMs: 300 },
      vendors: [
        { scenario: 'uas-invite-redirect-302.xml', port: portA, extraArgs: redirectArgs },
        { scenario: 'uas-invite-answer-expect-bye.xml', port: portB },
      ],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[1]!), r.trace).toEqual({ ok: 1, failed: 0 })
    const cdr = r.cdrs[0]!
    expect(cdrSummary(cdr), r.trace).toEqual({
      reason: 'CallerHangup', sipCode: 200, endedBy: 'caller', routingGatewayId: 'rgw_b', attempts: ['rgw_a:302:GatewayRedirected', 'rgw_b:200:CallerHangup'],
    })
    expect(cdr.calleeOut, r.trace).toBe('999777')
    expect(cdr.notes.join('\n'), r.trace).toContain('following 999777@rgw_b')
  })
})
