// Ingress authentication on the wire: docs/architecture.md "Ingress authentication" (ip, ip_port, password) with SS_REPLY_UNAUTHORIZED, and digest per RFC 3261 §22, RFC 7616 §3.3-3.4 (qop=auth, stale=true, nonce count) and RFC 8760 (SHA-256 with MD5), each with its CDR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CUSTOMER_ACCOUNT, cdrSummary, outcome, runCall, settle, vendorGateway } from './test-support/call-fixtures.js'
import { cdrMark, readCdrs, type MappingGatewaySeed } from './test-support/config-seed.js'
import { challengesOf, digestCredentials, DigestCustomer, type DigestChallenge } from './test-support/digest-customer.js'
import { freeUdpPort, startCore, startSippUas, type CoreProcess } from './test-support/harness.js'

describe('ip and ip_port authentication', () => {
  let core: CoreProcess
  let vendorPort: number
  let customerPort: number

  beforeAll(async () => {
    vendorPort = await freeUdpPort()
    customerPort = await freeUdpPort()
    const byIp: MappingGatewaySeed = { id: 'mgw_ip', name: 'by-ip', accountId: CUSTOMER_ACCOUNT.id, authMode: 'ip', ips: ['127.0.0.1'] }
    // 127.0.0.2 is loopback too: the ip_port customer sends from there, so the IP gateway above cannot match it
    const byPort: MappingGatewaySeed = {
      id: 'mgw_port', name: 'by-ip-port', accountId: CUSTOMER_ACCOUNT.id, authMode: 'ip_port', ips: ['127.0.0.2'], port: customerPort,
    }
    core = await startCore({}, {
      config: {
        params: { SS_RECORD_UNKNOWN_SOURCE: true },
        accounts: [CUSTOMER_ACCOUNT],
        mappingGateways: [byIp, byPort],
        routingGateways: [vendorGateway('rgw_vendor', vendorPort)],
      },
    })
  })
  afterAll(async () => {
    await core?.stop()
  })

  it('accepts an INVITE from a mapping gateway\'s IP and bills the call to it', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '3100', durationMs: 100 },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toMatchObject({ reason: 'CallerHangup', routingGatewayId: 'rgw_vendor' })
    expect(r.cdrs[0], r.trace).toMatchObject({ mappingGatewayId: 'mgw_ip', accountId: CUSTOMER_ACCOUNT.id, sourceIp: '127.0.0.1' })
  })

  it('accepts an ip_port gateway sending from its configured port', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '3200', durationMs: 100, localIp: '127.0.0.2', localPort: customerPort },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(r.cdrs[0], r.trace).toMatchObject({ terminationReason: 'CallerHangup', mappingGatewayId: 'mgw_port', sourcePort: customerPort })
  })

  it('rejects the ip_port gateway\'s IP from another port with 403 and records AuthenticationFailed (SS_RECORD_UNKNOWN_SOURCE on)', async () => {
    const r = await runCall({ core, customer: { scenario: 'uac-invite-expect-403.xml', service: '3300', localIp: '127.0.0.2' } })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toEqual({ reason: 'AuthenticationFailed', sipCode: 403, endedBy: 'switch', routingGatewayId: null, attempts: [] })
    expect(r.cdrs[0], r.trace).toMatchObject({ mappingGatewayId: null, accountId: null, sourceIp: '127.0.0.2' })
  })

  it('rejects an INVITE from an unknown IP with 403', async () => {
    const r = await runCall({ core, customer: { scenario: 'uac-invite-expect-403.xml', service: '3400', localIp: '127.0.0.9' } })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(r.cdrs[0], r.trace).toMatchObject({ terminationReason: 'AuthenticationFailed', sipCode: 403, mappingGatewayId: null, sourceIp: '127.0.0.9' })
  })

  it('answers an unknown IP with silence (no 100, no 403) when SS_REPLY_UNAUTHORIZED is off, and records it without a SIP code', async () => {
    await core.updateConfig({ params: { SS_REPLY_UNAUTHORIZED: false } })
    try {
      const r = await runCall({ core, customer: { scenario: 'uac-invite-unknown-source-expect-silence.xml', service: '3500', localIp: '127.0.0.9' } })
      expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
      expect(r.cdrs[0], r.trace).toMatchObject({ terminationReason: 'AuthenticationFailed', sipCode: null, mappingGatewayId: null })
    } finally {
      await core.updateConfig({ params: { SS_REPLY_UNAUTHORIZED: true } })
    }
  })
})

describe('digest authentication (password mode)', () => {
  const USER = 'alice'
  const PASSWORD = 's3cret-pw'
  const NONCE_TTL_SEC = 10 // the smallest SS_AUTH_NONCE_TTL the schema allows
  let core: CoreProcess
  let vendorPort: number
  let customer: DigestCustomer
  let callSeq = 0

  beforeAll(async () => {
    vendorPort = await freeUdpPort()
    core = await startCore({}, {
      config: {
        params: { SS_AUTH_NONCE_TTL: NONCE_TTL_SEC },
        accounts: [CUSTOMER_ACCOUNT],
        mappingGateways: [{ id: 'mgw_pw', name: 'by-password', accountId: CUSTOMER_ACCOUNT.id, authMode: 'password', username: USER, password: PASSWORD }],
        routingGateways: [vendorGateway('rgw_vendor', vendorPort)],
      },
    })
    customer = await DigestCustomer.open(core.sipPort)
  })
  afterAll(async () => {
    customer?.close()
    await core?.stop()
  })

  const newCall = (): { callId: string; fromTag: string } => ({ callId: `digest-${++callSeq}-${Date.now()}@127.0.0.1`, fromTag: `t${callSeq}` })
  const pick = (challenges: DigestChallenge[], algorithm: string): DigestChallenge => {
    const c = challenges.find((x) => (x.params.get('algorithm') ?? 'MD5').toUpperCase() === algorithm)
    if (c === undefined) throw new Error(`no ${algorithm} challenge among ${JSON.stringify(challenges.map((x) => [...x.params]))}`)
    return c
  }

  it('challenges an INVITE without credentials with 401/407 offering MD5 then SHA-256 with qop=auth, and writes no CDR', async () => {
    const mark = await cdrMark(core.database.db)
    const call = newCall()
    const first = await customer.invite({ ...call, callee: '4100', cseq: 1 })
    expect([401, 407]).toContain(first.final.status)
    const challenges = challengesOf(first.final)
    expect(challenges.map((c) => c.params.get('algorithm')?.toUpperCase())).toEqual(['MD5', 'SHA-256'])
    for (const c of challenges) {
      expect(c.params.get('qop')).toBe('auth')
      expect(c.params.get('realm')).toBe('softswitch')
      expect(c.params.get('nonce')?.length ?? 0).toBeGreaterThanOrEqual(16)
    }
    await expect(readCdrs(core.database.db, { after: mark, count: 1, timeoutMs: 800 })).rejects.toThrow(/found 0/)
  })

  for (const algorithm of ['SHA-256', 'MD5'] as const) {
    it(`admits a correct ${algorithm} digest and routes the call (the vendor's 486 comes back, CDR names the gateway)`, async () => {
      const mark = await cdrMark(core.database.db)
      const vendor = await startSippUas({ scenario: 'uas-invite-reject-486.xml', port: vendorPort, timeoutSec: 10, trace: true })
      const call = newCall()
      const challenge = pick(challengesOf((await customer.invite({ ...call, callee: '4200', cseq: 1 })).final), algorithm)
      const authorization = digestCredentials({ challenge, username: USER, password: PASSWORD, method: 'INVITE', uri: customer.requestUri('4200') })
      const second = await customer.invite({ ...call, callee: '4200', cseq: 2, authorization })
      const v = await settle(vendor, 3_000)
      expect(second.final.status, second.final.raw).toBe(486)
      expect(outcome(v)).toEqual({ ok: 1, failed: 0 })
      const [cdr] = await readCdrs(core.database.db, { after: mark, count: 1 })
      expect(cdrSummary(cdr)).toEqual({ reason: 'GatewayRejected', sipCode: 486, endedBy: 'callee', routingGatewayId: 'rgw_vendor', attempts: ['rgw_vendor:486:GatewayRejected'] })
      expect(cdr).toMatchObject({ mappingGatewayId: 'mgw_pw', accountId: CUSTOMER_ACCOUNT.id })
    })
  }

  it("lets SIPp's own digest client (MD5, first challenge only) through on default settings", async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-digest-auth-expect-200.xml', service: '4250', durationMs: 100, auth: { username: USER, password: PASSWORD } },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(r.cdrs[0], r.trace).toMatchObject({ terminationReason: 'CallerHangup', mappingGatewayId: 'mgw_pw', routingGatewayId: 'rgw_vendor' })
  })

  it('refuses a wrong password with 403, tries no vendor, and writes AuthenticationFailed for the known gateway', async () => {
    const mark = await cdrMark(core.database.db)
    const call = newCall()
    const challenge = pick(challengesOf((await customer.invite({ ...call, callee: '4300', cseq: 1 })).final), 'SHA-256')
    const authorization = digestCredentials({ challenge, username: USER, password: 'wrong', method: 'INVITE', uri: customer.requestUri('4300') })
    const second = await customer.invite({ ...call, callee: '4300', cseq: 2, authorization })
    expect(second.final.status, second.final.raw).toBe(403)
    const [cdr] = await readCdrs(core.database.db, { after: mark, count: 1 })
    expect(cdrSummary(cdr)).toEqual({ reason: 'AuthenticationFailed', sipCode: 403, endedBy: 'switch', routingGatewayId: null, attempts: [] })
    expect(cdr).toMatchObject({ mappingGatewayId: 'mgw_pw' })
  })

  it('answers a replayed Authorization (same nonce and nc on a new call) with a new challenge marked stale=true, while nc=2 on that nonce passes', async () => {
    const vendor = await startSippUas({ scenario: 'uas-invite-reject-486.xml', port: vendorPort, calls: 2, timeoutSec: 15, trace: true })
    const call = newCall()
    const challenge = pick(challengesOf((await customer.invite({ ...call, callee: '4400', cseq: 1 })).final), 'MD5')
    const uri = customer.requestUri('4400')
    const authorization = digestCredentials({ challenge, username: USER, password: PASSWORD, method: 'INVITE', uri, cnonce: 'c0ffee01', nc: 1 })
    const used = await customer.invite({ ...call, callee: '4400', cseq: 2, authorization })
    expect(used.final.status, used.final.raw).toBe(486)

    const replay = await customer.invite({ ...newCall(), callee: '4400', cseq: 1, authorization })
    expect([401, 407], replay.final.raw).toContain(replay.final.status)
    expect(challengesOf(replay.final).every((c) => c.params.get('stale')?.toLowerCase() === 'true'), replay.final.raw).toBe(true)

    const next = digestCredentials({ challenge, username: USER, password: PASSWORD, method: 'INVITE', uri, cnonce: 'c0ffee02', nc: 2 })
    const counted = await customer.invite({ ...newCall(), callee: '4400', cseq: 1, authorization: next })
    expect(counted.final.status, counted.final.raw).toBe(486)
    expect(outcome(await settle(vendor, 3_000))).toEqual({ ok: 2, failed: 0 })
  })

  it(`answers a correct digest over a nonce older than SS_AUTH_NONCE_TTL (${NONCE_TTL_SEC} s) with stale=true, and the retry on the new nonce passes`, async () => {
    const vendor = await startSippUas({ scenario: 'uas-invite-reject-486.xml', port: vendorPort, timeoutSec: 30, trace: true })
    const call = newCall()
    const old = pick(challengesOf((await customer.invite({ ...call, callee: '4500', cseq: 1 })).final), 'SHA-256')
    await new Promise((ok) => setTimeout(ok, NONCE_TTL_SEC * 1000 + 500))
    const uri = customer.requestUri('4500')
    const late = await customer.invite({ ...call, callee: '4500', cseq: 2, authorization: digestCredentials({ challenge: old, username: USER, password: PASSWORD, method: 'INVITE', uri }) })
    expect([401, 407], late.final.raw).toContain(late.final.status)
    const fresh = pick(challengesOf(late.final), 'SHA-256')
    expect(fresh.params.get('stale')?.toLowerCase()).toBe('true')
    expect(fresh.params.get('nonce')).not.toBe(old.params.get('nonce'))
    const retry = await customer.invite({ ...call, callee: '4500', cseq: 3, authorization: digestCredentials({ challenge: fresh, username: USER, password: PASSWORD, method: 'INVITE', uri }) })
    expect(retry.final.status, retry.final.raw).toBe(486)
    expect(outcome(await settle(vendor, 3_000))).toEqual({ ok: 1, failed: 0 })
  }, 40_000)
})
