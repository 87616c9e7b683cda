// SIP over TCP and TLS beside UDP (RFC 3261 §18) through the running core: SIPp customers and vendors on either transport, TLS customers (SIPp through a verifying TLS tunnel, as Debian's SIPp has no TLS), the §18.1.1 move of a large INVITE to TCP, and CDRs naming each leg's transport.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestCertificate, type TestCertificate } from '../transport/test-support/tls-cert.js'
import { CUSTOMER_ACCOUNT, LOCAL_IP_CUSTOMER, outcome, runCall, vendorGateway } from './test-support/call-fixtures.js'
import { freeTcpPort, freeUdpPort, metric, startCore, type CoreProcess } from './test-support/harness.js'
import { startTlsClientTunnel, type Tunnel } from './test-support/stunnel.js'

describe('calls over UDP, TCP and TLS', () => {
  let core: CoreProcess
  let cert: TestCertificate
  let tlsPort: number
  let tunnel: Tunnel
  let udpVendor: number
  let tcpVendor: number
  let bigVendor: number
  beforeAll(async () => {
    udpVendor = await freeUdpPort()
    tcpVendor = await freeTcpPort()
    bigVendor = await freeTcpPort()
    tlsPort = await freeTcpPort()
    cert = makeTestCertificate()
    core = await startCore({ SIP_TLS_PORT: String(tlsPort), SIP_TLS_CERT_FILE: cert.certFile, SIP_TLS_KEY_FILE: cert.keyFile }, {
      config: {
        accounts: [CUSTOMER_ACCOUNT],
        mappingGateways: [LOCAL_IP_CUSTOMER],
        routingGateways: [
          vendorGateway('rgw_udp', udpVendor, { prefixes: ['1'] }),
          vendorGateway('rgw_tcp', tcpVendor, { prefixes: ['2'], transport: 'tcp' }),
          // Configured as UDP, but only listening on TCP: a large INVITE reaches it, a small one would not.
          vendorGateway('rgw_big', bigVendor, { prefixes: ['3'], switchUntilConnect: false }),
        ],
      },
    })
  })
  afterAll(async () => {
    await tunnel?.stop()
    expect(await core.stop()).toBe(0)
    cert.cleanup()
  })

  it('completes a call from a SIPp customer over TCP to a vendor on UDP', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '1000', durationMs: 200, transport: 'tcp' },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: udpVendor }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(r.cdrs[0]).toMatchObject({ terminationReason: 'CallerHangup', sourceTransport: 'tcp', routingGatewayId: 'rgw_udp' })
    expect(r.cdrs[0]!.attempts.map((a) => a.transport)).toEqual(['udp'])
  })

  it('completes a call from a SIPp customer on UDP to a vendor on TCP, the vendor ending it', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-bye-from-callee-expect-200.xml', service: '2000' },
      vendors: [{ scenario: 'uas-invite-answer-then-bye-expect-200.xml', port: tcpVendor, transport: 'tcp', durationMs: 200 }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(r.cdrs[0]).toMatchObject({ terminationReason: 'CalleeHangup', sourceTransport: 'udp', routingGatewayId: 'rgw_tcp' })
    expect(r.cdrs[0]!.attempts.map((a) => a.transport)).toEqual(['tcp'])
  })

  it('completes a call between TCP on both sides', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '2000', durationMs: 200, transport: 'tcp' },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: tcpVendor, transport: 'tcp' }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(r.cdrs[0]).toMatchObject({ sourceTransport: 'tcp', attempts: [expect.objectContaining({ transport: 'tcp', sipCode: 200 })] })
  })

  it('sends a 3 kB INVITE to a vendor configured for UDP over TCP (RFC 3261 §18.1.1)', async () => {
    const before = await metric(core, 'softswitch_sip_large_requests_total{transport="tcp"}')
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-large-sdp-expect-200.xml', service: '3000', durationMs: 200 },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: bigVendor, transport: 'tcp' }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(r.cdrs[0]!.attempts.map((a) => a.transport)).toEqual(['tcp'])
    expect(await metric(core, 'softswitch_sip_large_requests_total{transport="tcp"}')).toBe(before + 1)
  })

  it('completes a call from a SIPp customer over TLS (through a verifying TLS tunnel) to a vendor on UDP', async () => {
    tunnel = await startTlsClientTunnel(await freeTcpPort(), tlsPort, cert.certFile)
    const r = await runCall({
      core: { ...core, target: `127.0.0.1:${tunnel.port}` },
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '1000', durationMs: 200, transport: 'tcp' },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: udpVendor }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(r.vendors[0]!), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(r.cdrs[0]).toMatchObject({ terminationReason: 'CallerHangup', sourceTransport: 'tls', attempts: [expect.objectContaining({ transport: 'udp' })] })
  })
})
