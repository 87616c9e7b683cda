// Digest and the source screen on a core of four SIP workers (docs/capacity.md "The screen across workers"): a password gateway behind an unknown address spread over every worker with each credentialed INVITE at its nonce's issuer, a guesser banned at the node's failure limit, pike on each worker's share.
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ipAccessList } from '../../shared/db/schema.js'
import { CUSTOMER_ACCOUNT, outcome, settle, vendorGateway } from './test-support/call-fixtures.js'
import { brief, cdrMark, readCdrs, type MappingGatewaySeed } from './test-support/config-seed.js'
import { challengesOf, digestCredentials, DigestCustomer, type InviteOutcome } from './test-support/digest-customer.js'
import { describeSipp, freeUdpPort, metric, runSipp, startCore, startSippUas, waitFor, type CoreProcess } from './test-support/harness.js'
import { floodInvites } from './test-support/invite-flood.js'

const WORKERS = 4
const USER = { username: 'pw-gateway', password: 'pw-secret' }
const PASSWORD_GATEWAY: MappingGatewaySeed = { id: 'mgw_pw', name: 'by-password', accountId: CUSTOMER_ACCOUNT.id, authMode: 'password', ...USER }
const FAIL_LIMIT = 5

/** One wrong-password attempt (INVITE, 407, INVITE with credentials): the final status and the worker its To tag names; null when the core stays silent. */
async function guess(c: DigestCustomer, n: number): Promise<{ status: number; worker: number } | null> {
  const callId = `guess-${c.localPort}-${n}`
  const attempt = (o: Parameters<DigestCustomer['invite']>[0]): Promise<InviteOutcome | null> => c.invite({ timeoutMs: 1_500, ...o }).catch(() => null)
  const first = await attempt({ callee: '7200', callId, cseq: 1, fromTag: `t${n}` })
  if (first === null) return null
  const challenge = challengesOf(first.final).find((ch) => ch.params.get('algorithm') === 'SHA-256')
  if (challenge === undefined) return { status: first.final.status, worker: -1 }
  const authorization = digestCredentials({ challenge, username: USER.username, password: `guess-${n}`, method: 'INVITE', uri: c.requestUri('7200') })
  const second = await attempt({ callee: '7200', callId, cseq: 2, fromTag: `t${n}`, authorization })
  if (second === null) return null
  return { status: second.final.status, worker: parseInt(/;tag=([0-9a-z])/.exec(second.final.headers.get('to')?.[0] ?? '')?.[1] ?? 'z', 36) }
}

/** Per Call-ID, the worker mark of the To tag in our final response to the INVITE with credentials (build.ts setIdMark). */
function answeredBy(trace: string): Map<string, number> {
  const owners = new Map<string, number>()
  for (const block of trace.split(/^-{47} .*$/m)) {
    if (!/message received/.test(block.split('\n', 3).join('\n'))) continue
    const callId = /^Call-ID:\s*(.+?)\s*$/im.exec(block)?.[1]
    const tag = /^To:.*;tag=([0-9a-z])/im.exec(block)?.[1]
    if (!/^SIP\/2\.0 200/m.test(block) || callId === undefined || tag === undefined || !/^CSeq:\s*2 INVITE/im.test(block)) continue
    owners.set(callId, parseInt(tag, 36))
  }
  return owners
}

describe('digest and the screen on four SIP workers', () => {
  let core: CoreProcess
  let vendorPort: number

  beforeAll(async () => {
    vendorPort = await freeUdpPort()
    core = await startCore({ CORE_WORKERS: String(WORKERS) }, {
      config: {
        // The customer sends from 127.0.0.2, an address no gateway has: pike raised for its 40 calls/s of 5 requests each.
        params: { SS_PIKE_RATE: 1_000, SS_PIKE_BURST: 2_000, SS_AUTH_FAIL_LIMIT: FAIL_LIMIT, SS_AUTH_FAIL_WINDOW: 60, SS_AUTH_BAN_TIME: 60 },
        accounts: [CUSTOMER_ACCOUNT],
        mappingGateways: [PASSWORD_GATEWAY],
        routingGateways: [vendorGateway('rgw_vendor', vendorPort)],
      },
    })
  })
  afterAll(async () => {
    await core?.stop()
  })

  it("spreads a password gateway's calls from one unknown IP:port over every worker, SIPp's credentials (cnonce before nonce) at their nonce's issuer", async () => {
    const CALLS = 40
    const mark = await cdrMark(core.database.db)
    const vendor = await startSippUas({ scenario: 'uas-cps-answer-expect-bye.xml', port: vendorPort, calls: CALLS, timeoutSec: 40, trace: true })
    const customer = await runSipp({
      scenario: 'uac-cps-digest-call-expect-200.xml', target: core.target, localIp: '127.0.0.2', calls: CALLS, rate: 40, service: '7100', durationMs: 200, timeoutSec: 40, trace: true, auth: USER,
    })
    const v = await settle(vendor, 10_000)
    const trace = `${describeSipp('customer', customer)}\n${describeSipp('vendor', v)}`
    expect(outcome(customer), trace).toEqual({ ok: CALLS, failed: 0 })
    const cdrs = await readCdrs(core.database.db, { after: mark, count: CALLS, timeoutMs: 10_000, settleMs: 300 })
    expect(cdrs.map((c) => c.terminationReason), JSON.stringify(cdrs.map(brief))).toEqual(Array<string>(CALLS).fill('CallerHangup'))
    expect([...new Set(answeredBy(customer.messages).values())].sort(), 'the calls of one unknown IP:port land on every worker').toEqual([0, 1, 2, 3])
  }, 90_000)

  it(`bans a guesser at its ${FAIL_LIMIT}th wrong password in total, though its attempts land on several workers, and every worker shuts it out`, async () => {
    const guesser = await DigestCustomer.open(core.sipPort, '127.0.0.4')
    try {
      const first = []
      for (let n = 0; n < FAIL_LIMIT; n++) first.push(await guess(guesser, n))
      expect(first.map((g) => g?.status)).toEqual(Array<number>(FAIL_LIMIT).fill(403))
      expect(new Set(first.map((g) => g?.worker)).size, JSON.stringify(first)).toBeGreaterThan(1)
      expect(await waitFor(async () => (await metric(core, 'softswitch_security_bans_total{reason="auth_failures"}')) === 1, 5_000)).toBe(true)
      const after = []
      for (let n = FAIL_LIMIT; n < FAIL_LIMIT + 8; n++) after.push(await guess(guesser, n))
      expect(after, 'silence on every worker').toEqual(Array(8).fill(null))
    } finally {
      guesser.close()
    }
    expect(await waitFor(async () => (await core.database.db.select().from(ipAccessList).where(eq(ipAccessList.cidr, '127.0.0.4/32'))).length === 1, 5_000)).toBe(true)
    const [row] = await core.database.db.select().from(ipAccessList).where(eq(ipAccessList.cidr, '127.0.0.4/32'))
    expect(row).toMatchObject({ list: 'blacklist', reason: 'auth_failures', origin: 'core', offences: 1 })
  }, 60_000)

  it("bans a flood past pike's burst counted on each worker's share: about SS_PIKE_BURST answers for the node, one ban", async () => {
    await core.updateConfig({ params: { SS_PIKE_RATE: 20, SS_PIKE_BURST: 100, SS_AUTH_FAIL_LIMIT: FAIL_LIMIT, SS_AUTH_FAIL_WINDOW: 60, SS_AUTH_BAN_TIME: 60 } })
    const r = await floodInvites({ port: core.sipPort, localIp: '127.0.0.5', count: 1_000, listenMs: 500 })
    // Each worker answers at most its 25 and 5/s more while the flood lasts; the first worker over its share bans
    // the source for all, so the others may stop short of theirs. One process would answer 100.
    expect(r.statuses.length).toBeGreaterThanOrEqual(50)
    expect(r.statuses.length).toBeLessThan(130)
    expect(await waitFor(async () => (await metric(core, 'softswitch_security_bans_total{reason="request_flood"}')) === 1, 5_000)).toBe(true)
  }, 60_000)
})
