// Registering gateways on the wire (RFC 3261 §10, §22): a SIPp gateway registers with digest and calls from its registered address, the binding expires, a dynamic vendor receives calls where it registered, and bindings survive kill -9.
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registrations } from '../../shared/db/schema.js'
import { CUSTOMER_ACCOUNT, outcome, runCall, vendorGateway } from './test-support/call-fixtures.js'
import { describeSipp, freeUdpPort, metric, runSipp, startCore, waitFor, type CoreProcess, type SippResult } from './test-support/harness.js'

const PBX = { username: 'pbx', password: 'pbx-secret' }
const VENDOR = { username: 'vendor1', password: 'vendor-secret' }

describe('registering gateways', () => {
  let core: CoreProcess
  let staticVendor: number
  let pbxPort: number
  const register = (port: number, who: { username: string; password: string }, expires: number): Promise<SippResult> =>
    runSipp({
      scenario: 'uac-register-digest-expect-200.xml', target: core.target, calls: 1, localPort: port, auth: who, trace: true, timeoutSec: 10,
      extraArgs: ['-key', 'user', who.username, '-key', 'expires', String(expires)],
    })
  const rows = (gatewayId: string) => core.database.db.select().from(registrations).where(and(eq(registrations.gatewayId, gatewayId)))

  beforeAll(async () => {
    staticVendor = await freeUdpPort()
    pbxPort = await freeUdpPort()
    core = await startCore({}, {
      config: {
        // Keep-alives off: an OPTIONS would reach the SIPp processes that later take the registered ports.
        params: { SS_REGISTER_MIN_EXPIRES: 1, SS_REGISTER_KEEPALIVE: 0 },
        accounts: [CUSTOMER_ACCOUNT],
        mappingGateways: [{ id: 'mgw_pbx', name: 'pbx', accountId: CUSTOMER_ACCOUNT.id, authMode: 'password', ...PBX, dynamic: true }],
        routingGateways: [
          vendorGateway('rgw_static', staticVendor, { prefixes: ['1'] }),
          { id: 'rgw_dyn', name: 'rgw_dyn', dynamic: true, ...VENDOR, prefixes: ['2'] },
        ],
      },
    })
  })
  afterAll(async () => {
    expect(await core.stop()).toBe(0)
  })

  it('takes a digest REGISTER from a SIPp gateway, then its calls from the registered address without a challenge, and challenges it elsewhere', async () => {
    const reg = await register(pbxPort, PBX, 3600)
    expect(outcome(reg), describeSipp('register', reg)).toEqual({ ok: 1, failed: 0 })
    const [row] = await rows('mgw_pbx')
    expect(row).toMatchObject({ kind: 'mapping', contact: `sip:pbx@127.0.0.1:${pbxPort}`, userAgent: 'SIPp gateway', sourcePort: pbxPort, transport: 'udp' })
    expect(row!.expiresAtMs - Date.now()).toBeGreaterThan(3500_000)
    const call = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '1000', durationMs: 100, localPort: pbxPort },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: staticVendor }],
    })
    expect(outcome(call.customer), call.trace).toEqual({ ok: 1, failed: 0 })
    expect(call.cdrs[0]).toMatchObject({ mappingGatewayId: 'mgw_pbx', terminationReason: 'CallerHangup', sourcePort: pbxPort })
    const elsewhere = await runSipp({ scenario: 'uac-invite-expect-407.xml', target: core.target, calls: 1, service: '1000', trace: true, timeoutSec: 10 })
    expect(outcome(elsewhere), describeSipp('unregistered port', elsewhere)).toEqual({ ok: 1, failed: 0 })
  })

  it('lets a binding expire, after which its address is challenged again', async () => {
    const port = await freeUdpPort()
    const reg = await register(port, { ...PBX }, 2)
    expect(outcome(reg), describeSipp('register', reg)).toEqual({ ok: 1, failed: 0 })
    expect((await rows('mgw_pbx')).map((r) => r.sourcePort).sort()).toEqual([pbxPort, port].sort())
    expect(await waitFor(async () => (await rows('mgw_pbx')).length === 1, 6_000)).toBe(true)
    expect(await metric(core, 'softswitch_sip_registrar_expired_total')).toBe(1)
    const after = await runSipp({ scenario: 'uac-invite-expect-407.xml', target: core.target, calls: 1, service: '1000', localPort: port, trace: true, timeoutSec: 10 })
    expect(outcome(after), describeSipp('expired binding', after)).toEqual({ ok: 1, failed: 0 })
  })

  it('sends calls to a dynamic routing gateway at the address it registered from', async () => {
    const vendorPort = await freeUdpPort()
    const reg = await register(vendorPort, VENDOR, 600)
    expect(outcome(reg), describeSipp('vendor register', reg)).toEqual({ ok: 1, failed: 0 })
    const call = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '2000', durationMs: 100, localPort: pbxPort },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort }],
    })
    expect(outcome(call.customer), call.trace).toEqual({ ok: 1, failed: 0 })
    expect(outcome(call.vendors[0]!), call.trace).toEqual({ ok: 1, failed: 0 })
    expect(call.cdrs[0]).toMatchObject({ routingGatewayId: 'rgw_dyn', attempts: [expect.objectContaining({ routingGatewayId: 'rgw_dyn', sipCode: 200 })] })
  })

  it('keeps the bindings through kill -9: after the restart the registered gateway calls without registering again', async () => {
    const pid = core.child.pid
    await core.kill()
    expect(() => process.kill(pid!, 0)).toThrow()
    await core.restart()
    expect(await metric(core, 'softswitch_sip_registrar_bindings')).toBe(2)
    const call = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '1000', durationMs: 100, localPort: pbxPort },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: staticVendor }],
    })
    expect(outcome(call.customer), call.trace).toEqual({ ok: 1, failed: 0 })
    expect(call.cdrs[0]).toMatchObject({ mappingGatewayId: 'mgw_pbx' })
  })
})
