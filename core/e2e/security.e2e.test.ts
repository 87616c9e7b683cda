// Facing the internet on real UDP (docs/architecture.md "Facing the internet"): a digest guesser banned at SS_AUTH_FAIL_LIMIT while a whitelisted gateway never is and a real call goes through, floods answered at most once per request (none with replies off) with memory given back, calls per second and blocked destinations refused with their reasons.
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ipAccessList } from '../../shared/db/schema.js'
import { CUSTOMER_ACCOUNT, LOCAL_IP_CUSTOMER, outcome, runCall, vendorGateway } from './test-support/call-fixtures.js'
import { cdrMark, readCdrs, type AccountSeed, type MappingGatewaySeed } from './test-support/config-seed.js'
import { challengesOf, digestCredentials, DigestCustomer, type InviteOutcome } from './test-support/digest-customer.js'
import { freeUdpPort, metric, startCore, startSippUas, waitFor, type CoreProcess } from './test-support/harness.js'
import { floodInvites } from './test-support/invite-flood.js'
import { treeRssMiB } from './test-support/proc-stats.js'

const FAIL_LIMIT = 5
const PASSWORD_GATEWAY: MappingGatewaySeed = { id: 'mgw_pw', name: 'by-password', accountId: CUSTOMER_ACCOUNT.id, authMode: 'password', username: 'alice', password: 'correct-horse' }

/** One digest attempt with a wrong password: INVITE, its challenge, the INVITE with credentials; null when the core stays silent. */
async function guess(c: DigestCustomer, n: number, password: string): Promise<number | null> {
  const callId = `guess-${c.localPort}-${n}`
  const attempt = async (o: Parameters<DigestCustomer['invite']>[0]): Promise<InviteOutcome | null> => c.invite({ timeoutMs: 1_500, ...o }).catch(() => null)
  const first = await attempt({ callee: '4930', callId, cseq: 1, fromTag: `t${n}` })
  if (first === null) return null
  if (first.final.status !== 407) return first.final.status
  const challenge = challengesOf(first.final).find((ch) => ch.params.get('algorithm') === 'SHA-256')!
  const authorization = digestCredentials({ challenge, username: 'alice', password, method: 'INVITE', uri: c.requestUri('4930') })
  const second = await attempt({ callee: '4930', callId, cseq: 2, fromTag: `t${n}`, authorization })
  return second?.final.status ?? null
}

describe('digest guessing', () => {
  let core: CoreProcess
  let vendorPort: number

  beforeAll(async () => {
    vendorPort = await freeUdpPort()
    core = await startCore({}, {
      config: {
        params: { SS_AUTH_FAIL_LIMIT: FAIL_LIMIT, SS_AUTH_FAIL_WINDOW: 60, SS_AUTH_BAN_TIME: 60 },
        accounts: [CUSTOMER_ACCOUNT],
        mappingGateways: [LOCAL_IP_CUSTOMER, PASSWORD_GATEWAY],
        routingGateways: [vendorGateway('rgw_vendor', vendorPort)],
        whitelist: ['127.0.0.3'],
      },
    })
  })
  afterAll(async () => {
    await core?.stop()
  })

  it(`bans a guesser at its ${FAIL_LIMIT}th wrong password (silence after, the ban in /v1/blacklist's table), while a call from another source completes`, async () => {
    const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: 1, timeoutSec: 30 })
    const guesser = await DigestCustomer.open(core.sipPort, '127.0.0.2')
    try {
      const [statuses, call] = await Promise.all([
        (async () => {
          const out: Array<number | null> = []
          for (let n = 0; n < FAIL_LIMIT + 3; n++) {
            out.push(await guess(guesser, n, `guess-${n}`))
            // With several workers the ban reaches the others one IPC round trip after the failing answer left
            // (docs/capacity.md, "The screen across workers"); once /metrics, which asks every worker, counts it, all hold it.
            if (n === FAIL_LIMIT - 1 && core.workers > 1) {
              expect(await waitFor(async () => (await metric(core, 'softswitch_security_bans_total{reason="auth_failures"}')) === 1, 2_000)).toBe(true)
            }
          }
          return out
        })(),
        // The guesser's refusals name the password gateway and leave a CDR each; the call's is one more.
        runCall({ core, customer: { scenario: 'uac-call-answered-expect-200.xml', service: '4100', durationMs: 200 }, cdrs: FAIL_LIMIT + 1 }),
      ])
      expect(statuses).toEqual([...Array(FAIL_LIMIT).fill(403), null, null, null])
      expect(outcome(call.customer), call.trace).toEqual({ ok: 1, failed: 0 })
      expect(call.cdrs.find((c) => c.mappingGatewayId === LOCAL_IP_CUSTOMER.id), call.trace).toMatchObject({ terminationReason: 'CallerHangup' })
    } finally {
      guesser.close()
      await vendor.stop()
    }
    const bans = await core.database.db.select().from(ipAccessList).where(eq(ipAccessList.cidr, '127.0.0.2/32'))
    expect(bans).toEqual([expect.objectContaining({ list: 'blacklist', reason: 'auth_failures', origin: 'core', offences: 1 })])
    expect(bans[0]!.expiresAtMs! - Date.now()).toBeGreaterThan(40_000)
    expect(await metric(core, 'softswitch_security_bans_total{reason="auth_failures"}')).toBe(1)
    expect(await metric(core, 'softswitch_policy_auth_refusals_total{reason="wrong_password"}')).toBe(FAIL_LIMIT)
  })

  it('never bans a whitelisted gateway, however often it fails', async () => {
    const gateway = await DigestCustomer.open(core.sipPort, '127.0.0.3')
    try {
      const statuses: Array<number | null> = []
      for (let n = 0; n < FAIL_LIMIT * 3; n++) statuses.push(await guess(gateway, n, 'stale-password'))
      expect(statuses).toEqual(Array(FAIL_LIMIT * 3).fill(403))
    } finally {
      gateway.close()
    }
    expect(await core.database.db.select().from(ipAccessList).where(eq(ipAccessList.cidr, '127.0.0.3/32'))).toEqual([expect.objectContaining({ list: 'whitelist' })])
  })
})

describe('floods of unauthenticated INVITEs', () => {
  let core: CoreProcess

  beforeAll(async () => {
    core = await startCore({}, {
      config: {
        // T1 = 100 ms: a 403 kept in a transaction would be retransmitted at 0.1, 0.3, 0.7 s... within the listening time.
        // Unknown sources count as failed authentications too (banned at SS_AUTH_FAIL_LIMIT): raised here so the flood is answered.
        params: { SS_SIP_T1_MS: 100, SS_SIP_T2_MS: 1000, SS_PIKE_RATE: 100_000, SS_PIKE_BURST: 1_000_000, SS_AUTH_FAIL_LIMIT: 10_000 },
        accounts: [CUSTOMER_ACCOUNT],
        mappingGateways: [LOCAL_IP_CUSTOMER],
      },
    })
  })
  afterAll(async () => {
    await core?.stop()
  })

  it('draws at most one answer per INVITE at the sender, keeps no transaction, writes no CDR, and gives memory back', async () => {
    const pid = core.child.pid!
    await floodInvites({ port: core.sipPort, localIp: '127.0.0.9', count: 2_000, listenMs: 500, tag: 'warm' })
    const before = treeRssMiB(pid)
    const mark = await cdrMark(core.database.db)
    // The start-up probe's OPTIONS may still be in its Timer J: the flood must add nothing to it.
    const transactions = await metric(core, 'softswitch_sip_transactions')
    const r = await floodInvites({ port: core.sipPort, localIp: '127.0.0.6', count: 9_000, listenMs: 2_000 })
    const peak = treeRssMiB(pid)
    const answered = [...r.answersPerRequest.values()]
    expect(Math.max(...answered)).toBe(1)
    // Loopback drops part of a burst this fast (socket buffers); what arrived was answered once.
    expect(answered.length).toBeGreaterThan(r.sent / 5)
    expect(new Set(r.statuses)).toEqual(new Set([403]))
    expect(await metric(core, 'softswitch_sip_transactions')).toBeLessThanOrEqual(transactions)
    await new Promise((ok) => setTimeout(ok, 3_000))
    const after = treeRssMiB(pid)
    console.log(`flood of ${r.sent} INVITEs: ${answered.length} answered once each; RSS of the core's processes before ${before.toFixed(1)} MiB, right after ${peak.toFixed(1)} MiB, 3 s later ${after.toFixed(1)} MiB (${(after / before).toFixed(3)}x)`)
    expect(after / before).toBeLessThan(1.1)
    expect(await cdrMark(core.database.db)).toBe(mark)
  })

  it('draws no answer at all with SS_REPLY_UNAUTHORIZED off', async () => {
    await core.updateConfig({ params: { SS_REPLY_UNAUTHORIZED: false } })
    const r = await floodInvites({ port: core.sipPort, localIp: '127.0.0.7', count: 2_000, listenMs: 1_500 })
    expect(r.statuses).toEqual([])
  })

  it('bans a source past the default pike burst: about 100 answers, then silence', async () => {
    await core.updateConfig({ params: { SS_REPLY_UNAUTHORIZED: true, SS_PIKE_RATE: 20, SS_PIKE_BURST: 100 } })
    const r = await floodInvites({ port: core.sipPort, localIp: '127.0.0.8', count: 1_000, listenMs: 500 })
    // One process answers the whole burst; several workers each their share of it, and the first one past its share
    // bans the source for all, so the uneven spread of Call-IDs may leave a few of the burst unanswered (docs/capacity.md).
    expect(r.statuses.length).toBeGreaterThanOrEqual(core.workers === 1 ? 100 : 90)
    expect(r.statuses.length).toBeLessThan(110)
    expect(await metric(core, 'softswitch_security_bans_total{reason="request_flood"}')).toBe(1)
  })
})

describe('calls per second and fraud guards', () => {
  let core: CoreProcess
  let vendorPort: number
  const GUARDED: AccountSeed = { id: 'acc_guarded', name: 'guarded', type: 'postpaid', blockedPrefixes: ['1900'] }
  const PACED: MappingGatewaySeed = { id: 'mgw_paced', name: 'paced', accountId: GUARDED.id, authMode: 'ip', ips: ['127.0.0.5'], cpsLimit: 1, cpsBurst: 2 }

  beforeAll(async () => {
    vendorPort = await freeUdpPort()
    core = await startCore({}, {
      config: { accounts: [GUARDED], mappingGateways: [PACED], routingGateways: [vendorGateway('rgw_vendor', vendorPort)] },
    })
  })
  afterAll(async () => {
    await core?.stop()
  })

  it('refuses a blocked destination with 403 DestinationBlocked', async () => {
    const c = await DigestCustomer.open(core.sipPort, '127.0.0.5')
    const mark = await cdrMark(core.database.db)
    try {
      const r = await c.invite({ callee: '19005551234', callId: 'blocked-1', cseq: 1, fromTag: 'b1' })
      expect(r.final.status).toBe(403)
    } finally {
      c.close()
    }
    const [cdr] = await readCdrs(core.database.db, { after: mark, count: 1, timeoutMs: 10_000 })
    expect(cdr).toMatchObject({ terminationReason: 'DestinationBlocked', sipCode: 403, mappingGatewayId: PACED.id, attempts: [] })
  })

  it('admits the gateway\'s burst and refuses the excess of its calls per second with 503 CpsLimitExceeded', async () => {
    await new Promise((ok) => setTimeout(ok, 2_100)) // the bucket refills after the previous test's call
    const vendor = await startSippUas({ scenario: 'uas-invite-reject-486.xml', port: vendorPort, calls: 2, timeoutSec: 20 })
    const c = await DigestCustomer.open(core.sipPort, '127.0.0.5')
    const mark = await cdrMark(core.database.db)
    let finals: number[]
    try {
      finals = (await Promise.all([0, 1, 2, 3, 4].map((i) => c.invite({ callee: '4930', callId: `cps-${i}`, cseq: 1, fromTag: `c${i}` })))).map((r) => r.final.status)
    } finally {
      c.close()
      await vendor.stop()
    }
    expect(finals.filter((s) => s === 486)).toHaveLength(2)
    expect(finals.filter((s) => s === 503)).toHaveLength(3)
    const cdrs = await readCdrs(core.database.db, { after: mark, count: 5, timeoutMs: 10_000 })
    expect(cdrs.map((x) => x.terminationReason).sort()).toEqual(['CpsLimitExceeded', 'CpsLimitExceeded', 'CpsLimitExceeded', 'GatewayRejected', 'GatewayRejected'])
  })
})
