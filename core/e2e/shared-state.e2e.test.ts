// Several core nodes as one switch: two core processes on one libSQL file and one real redis-server (docs/operations.md "Several core nodes"), one of them with two SIP workers whose primary is the node in Redis: a line limit holds across both, each node publishes its own gateway_status row, a ban made on one node refuses the source on the other, a node killed with -9 gives its lines back within REDIS_NODE_TTL_MS, calls go on while Redis is stopped, and a customer gateway registered at either node (the one of two workers too) is admitted by the other.
import { and, asc, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gatewayStatus } from '../../shared/db/schema.js'
import { processExists } from '../../shared/db/node/test-support/process-gone.js'
import { sumGatewayStatus, type GatewayStatusRow } from '../../shared/entities/gateway-status.js'
import { liveTotal, startRedis, type RedisServer } from '../shared-state/test-support/redis-server.js'
import { CUSTOMER_ACCOUNT, LOCAL_IP_CUSTOMER, cdrSummary, outcome, settle, vendorGateway } from './test-support/call-fixtures.js'
import { brief, cdrMark, readCdrs } from './test-support/config-seed.js'
import { describeSipp, freeUdpPort, health, metric, runSipp, startCore, startSipp, startSippUas, waitFor, type CoreProcess } from './test-support/harness.js'
import { floodInvites } from './test-support/invite-flood.js'

const LIMIT = 10
const TTL_MS = 2_000
const LINES_KEY = '{ss}:c:r:rgw_limited'

type SharedHealth = { mode: string; nodes: number; downSince: string | null }
async function sharedHealth(core: CoreProcess): Promise<SharedHealth | undefined> {
  return ((await health(core)) as unknown as { sharedState?: SharedHealth }).sharedState
}

describe('two core nodes sharing limits through Redis', () => {
  let redis: RedisServer
  let a: CoreProcess
  let b: CoreProcess
  let vendorPort: number

  beforeAll(async () => {
    redis = await startRedis()
    vendorPort = await freeUdpPort()
    const env = (node: string): Record<string, string> => ({ REDIS_URL: redis.url, NODE_ID: node, REDIS_NODE_TTL_MS: String(TTL_MS), STATUS_PUBLISH_MS: '300' })
    a = await startCore(env('node-a'), {
      config: { accounts: [CUSTOMER_ACCOUNT], mappingGateways: [LOCAL_IP_CUSTOMER], routingGateways: [vendorGateway('rgw_limited', vendorPort, { lineLimit: LIMIT })] },
    })
    // Node b runs two workers: they take their lines through its primary, which counts in Redis as one node.
    b = await startCore({ ...env('node-b'), CORE_WORKERS: '2' }, { databaseUrl: a.databaseUrl })
    expect(await waitFor(async () => (await sharedHealth(a))?.nodes === 2 && (await sharedHealth(b))?.mode === 'redis', 10_000)).toBe(true)
  })
  afterAll(async () => {
    await b?.stop()
    await a?.stop()
    await redis?.stop()
  })

  it(`answers exactly ${LIMIT} of 20 concurrent attempts spread over both nodes, and the vendor never sees more than ${LIMIT}`, async () => {
    const mark = await cdrMark(a.database.db)
    const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: LIMIT, timeoutSec: 30, trace: true })
    const call = (core: CoreProcess) => startSipp({
      scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: 10, rate: 200, limit: 10, service: '6100', durationMs: 4_000, timeoutSec: 20,
    })
    const [ca, cb] = await Promise.all([call(a), call(b)])
    // While the calls are up, each node publishes its own gateway_status row and their sum is the limit.
    const published = async (): Promise<GatewayStatusRow[]> => (await a.database.db.select().from(gatewayStatus)
      .where(and(eq(gatewayStatus.kind, 'routing'), eq(gatewayStatus.gatewayId, 'rgw_limited'))).orderBy(asc(gatewayStatus.nodeId)))
    expect(await waitFor(async () => sumGatewayStatus(await published())[0]?.currentCalls === LIMIT, 3_000), JSON.stringify(await published())).toBe(true)
    expect((await published()).map((r) => r.nodeId)).toEqual(['node-a', 'node-b'])
    const [ra, rb] = await Promise.all([ca.done(), cb.done()])
    const v = await settle(vendor, 5_000)
    expect(ra.successful + rb.successful, describeSipp('customer a', ra) + describeSipp('customer b', rb)).toBe(LIMIT)
    expect(ra.failed + rb.failed).toBe(20 - LIMIT)
    // The vendor took exactly LIMIT calls; an eleventh INVITE would be an unexpected message (a failed call) there.
    expect(outcome(v), describeSipp('vendor', v)).toEqual({ ok: LIMIT, failed: 0 })
    const cdrs = await readCdrs(a.database.db, { after: mark, count: 20, timeoutMs: 15_000, settleMs: 500 })
    const reasons = cdrs.map((c) => cdrSummary(c).reason)
    expect(reasons.filter((r) => r === 'CallerHangup'), JSON.stringify(cdrs.map(brief))).toHaveLength(LIMIT)
    expect(reasons.filter((r) => r === 'AllGatewayBusy')).toHaveLength(20 - LIMIT)
    expect(new Set(cdrs.map((c) => c.nodeId))).toEqual(new Set(['node-a', 'node-b']))
    expect(await waitFor(async () => (await liveTotal(redis.url, LINES_KEY)) === 0, 5_000)).toBe(true)
  }, 60_000)

  it('refuses on node a, within about a second, a source node b banned (bans shared in Redis; node a counted no ban itself)', async () => {
    // An unknown source: node b (two workers) bans it after SS_AUTH_FAIL_LIMIT refusals or its pike burst.
    await floodInvites({ port: b.sipPort, localIp: '127.0.0.9', count: 300, listenMs: 300 })
    expect(await waitFor(async () => (await floodInvites({ port: b.sipPort, localIp: '127.0.0.9', count: 1, listenMs: 100 })).statuses.length === 0, 5_000)).toBe(true)
    const t0 = Date.now()
    expect(await waitFor(async () => (await floodInvites({ port: a.sipPort, localIp: '127.0.0.9', count: 1, listenMs: 150 })).statuses.length === 0, 5_000)).toBe(true)
    // The bound: one poll (1 s) and two round trips, plus this test's probing.
    expect(Date.now() - t0).toBeLessThan(2_500)
    expect(await metric(a, 'softswitch_security_bans_total{reason="auth_failures"}')).toBe(0)
    expect(await metric(a, 'softswitch_security_bans_total{reason="request_flood"}')).toBe(0)
  })

  it(`frees the lines of a node killed with -9 within REDIS_NODE_TTL_MS (${TTL_MS} ms) and writes its calls' CDRs when it restarts`, async () => {
    const CALLS = 4
    const mark = await cdrMark(a.database.db)
    const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: CALLS, timeoutSec: 30 })
    const customer = await startSipp({
      scenario: 'uac-call-answered-expect-200.xml', target: b.target, calls: CALLS, rate: 50, limit: CALLS, service: '6200', durationMs: 30_000, timeoutSec: 20,
    })
    expect(await waitFor(async () => (await liveTotal(redis.url, LINES_KEY)) === CALLS, 10_000)).toBe(true)
    // Lines are taken at admission, before a call's start is journaled: kill only once every call is answered.
    expect(await waitFor(async () => {
      const calls = (await (await fetch(`http://127.0.0.1:${b.statusPort}/v1/calls`)).json()) as { count: number; items: { state: string }[] }
      return calls.count === CALLS && calls.items.every((c) => c.state === 'connected')
    }, 10_000)).toBe(true)
    const workers = ((await health(b)) as unknown as { workers: { pids: number[] } }).workers.pids
    expect(workers).toHaveLength(2)
    await b.kill()
    // The workers carried the calls: they stop as soon as their primary is gone.
    expect(await waitFor(async () => workers.every((pid) => !processExists(pid)), 5_000), `workers ${workers.join(', ')} outlived their primary`).toBe(true)
    const killedAt = Date.now()
    expect(await waitFor(async () => (await liveTotal(redis.url, LINES_KEY)) === 0, TTL_MS + 3_000)).toBe(true)
    const freedMs = Date.now() - killedAt
    // The bound: the TTL from the last heartbeat (every TTL/5), plus this test's polling.
    expect(freedMs).toBeLessThanOrEqual(TTL_MS + 500)
    await customer.stop()
    await vendor.stop()
    await b.restart()
    const cdrs = await readCdrs(a.database.db, { after: mark, count: CALLS, timeoutMs: 15_000, settleMs: 500 })
    expect(cdrs.map((c) => [c.nodeId, cdrSummary(c).reason]), JSON.stringify(cdrs.map(brief))).toEqual(
      Array.from({ length: CALLS }, () => ['node-b', 'SystemShutdown']),
    )
    expect(await waitFor(async () => (await sharedHealth(b))?.mode === 'redis', 10_000)).toBe(true)
  }, 60_000)

  it('keeps taking calls on the per-node share while redis-server is stopped, says so on /health and /metrics, and reconciles when it is back', async () => {
    const CALLS = 40
    const mark = await cdrMark(a.database.db)
    const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: CALLS, timeoutSec: 40 })
    // 4 calls a second to each node, each up 0.5 s: about 2 lines in use per node, well within its share (LIMIT / 2).
    const load = (core: CoreProcess) => startSipp({
      scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: CALLS / 2, rate: 4, service: '6300', durationMs: 500, timeoutSec: 30,
    })
    const [la, lb] = await Promise.all([load(a), load(b)])
    await new Promise((r) => setTimeout(r, 800))
    const pid = redis.pid
    await redis.stop()
    expect(pid).toBeDefined()
    expect(await waitFor(async () => (await sharedHealth(a))?.mode === 'fallback' && (await sharedHealth(b))?.mode === 'fallback', 5_000)).toBe(true)
    const h = await sharedHealth(a)
    expect(h).toMatchObject({ mode: 'fallback', nodes: 2 })
    expect(h?.downSince).not.toBeNull()
    expect(await metric(a, 'softswitch_shared_state_up')).toBe(0)
    await new Promise((r) => setTimeout(r, 1_500))
    await redis.start()
    expect(await waitFor(async () => (await sharedHealth(a))?.mode === 'redis' && (await sharedHealth(b))?.mode === 'redis', 10_000)).toBe(true)
    expect(await metric(a, 'softswitch_shared_state_up')).toBe(1)
    expect(await metric(a, 'softswitch_shared_state_fallback_decisions_total')).toBeGreaterThan(0)
    const [ra, rb] = await Promise.all([la.done(), lb.done()])
    const v = await settle(vendor, 5_000)
    const cdrs = await readCdrs(a.database.db, { after: mark, count: CALLS, timeoutMs: 15_000, settleMs: 500 })
    const why = JSON.stringify(cdrs.map(brief))
    expect(outcome(ra), describeSipp('customer a', ra) + why).toEqual({ ok: CALLS / 2, failed: 0 })
    expect(outcome(rb), describeSipp('customer b', rb) + why).toEqual({ ok: CALLS / 2, failed: 0 })
    expect(outcome(v)).toEqual({ ok: CALLS, failed: 0 })
    expect(cdrs.filter((c) => cdrSummary(c).reason === 'CallerHangup'), why).toHaveLength(CALLS)
    // Reconciled: Redis counts what the nodes hold, and that is nothing once the calls ended.
    expect(await waitFor(async () => (await liveTotal(redis.url, LINES_KEY)) === 0, 5_000)).toBe(true)
  }, 90_000)

  it('answers a prepaid account\'s calls on both nodes only as far as its one balance pays (reservations in Redis)', async () => {
    // Balance 0.3 at 0.6/min and calls capped at 10 s: each call reserves 0.1, so 3 calls across both nodes, not 3 each.
    const PAID = 3
    const version = await a.updateConfig({
      params: { SS_MAXCALLDURATION: 10 },
      rateTables: [{ id: 'rt_shared', name: 'shared' }],
      rates: [{ id: 'rate_shared', rateTableId: 'rt_shared', prefix: '', pricePerMinute: 0.6, firstIncrementSec: 1, nextIncrementSec: 1 }],
      accounts: [{ ...CUSTOMER_ACCOUNT, type: 'prepaid', balance: 0.3, rateTableId: 'rt_shared' }],
    })
    // Node b's two workers reserve through its primary, which holds the node's grants in Redis.
    expect(await waitFor(async () => (await health(b)).configVersion >= version, 10_000)).toBe(true)
    const mark = await cdrMark(a.database.db)
    const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: PAID, timeoutSec: 30 })
    const call = (core: CoreProcess) => startSipp({
      scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: 3, rate: 100, limit: 3, service: '6400', durationMs: 2_000, timeoutSec: 20,
    })
    const [ra, rb] = await Promise.all([(await call(a)).done(), (await call(b)).done()])
    const v = await settle(vendor, 5_000)
    const cdrs = await readCdrs(a.database.db, { after: mark, count: 6, timeoutMs: 15_000, settleMs: 500 })
    const why = JSON.stringify(cdrs.map(brief))
    expect(ra.successful + rb.successful, describeSipp('customer a', ra) + describeSipp('customer b', rb) + why).toBe(PAID)
    expect(outcome(v), describeSipp('vendor', v)).toEqual({ ok: PAID, failed: 0 })
    expect(cdrs.map((r) => cdrSummary(r).reason).filter((r) => r === 'AccountBalanceNotEnough'), why).toHaveLength(6 - PAID)
    expect(new Set(cdrs.map((r) => r.nodeId))).toEqual(new Set(['node-a', 'node-b']))
  }, 60_000)

  it('admits the calls of a customer gateway registered at one node on another node, from its registered address', async () => {
    const PBX = { username: 'pbx', password: 'pbx-secret' }
    const pbxPort = await freeUdpPort()
    const version = await a.updateConfig({
      // Keep-alives off: an OPTIONS would reach the SIPp processes that later take the registered port.
      params: { SS_REGISTER_KEEPALIVE: 0 },
      accounts: [CUSTOMER_ACCOUNT],
      // The IP gateway no longer admits 127.0.0.1: only the registration can.
      mappingGateways: [{ ...LOCAL_IP_CUSTOMER, ips: ['192.0.2.1'] }, { id: 'mgw_pbx', name: 'pbx', accountId: CUSTOMER_ACCOUNT.id, authMode: 'password', ...PBX, dynamic: true }],
    })
    const c = await startCore({ REDIS_URL: redis.url, NODE_ID: 'node-c', REDIS_NODE_TTL_MS: String(TTL_MS) }, { databaseUrl: a.databaseUrl })
    try {
      expect(await waitFor(async () => (await health(c)).configVersion >= version && (await sharedHealth(c))?.mode === 'redis', 10_000)).toBe(true)
      const reg = await runSipp({
        scenario: 'uac-register-digest-expect-200.xml', target: a.target, calls: 1, localPort: pbxPort, auth: PBX, trace: true, timeoutSec: 10,
        extraArgs: ['-key', 'user', PBX.username, '-key', 'expires', '3600'],
      })
      expect(outcome(reg), describeSipp('register at node-a', reg)).toEqual({ ok: 1, failed: 0 })
      const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: 1, timeoutSec: 30 })
      // node-c learns the binding within its next read of the shared entries (about a second): until then it challenges.
      const call = () => runSipp({
        scenario: 'uac-call-answered-expect-200.xml', target: c.target, calls: 1, localPort: pbxPort, service: '6500', durationMs: 100, timeoutSec: 5,
      })
      expect(await waitFor(async () => outcome(await call()).ok === 1, 15_000)).toBe(true)
      expect(outcome(await settle(vendor, 5_000))).toEqual({ ok: 1, failed: 0 })
    } finally {
      await c.stop()
    }
  }, 60_000)

  it('shares the registrations of a node of two workers: a gateway registered at node b calls through node a, one registered at node a through every worker of node b', async () => {
    const pbx = (name: string) => ({ username: name, password: `${name}-secret`, port: 0 })
    const [atB, atA] = [pbx('pbx-b'), pbx('pbx-a')]
    atB.port = await freeUdpPort()
    atA.port = await freeUdpPort()
    const gateway = (p: typeof atA) => ({ id: `mgw_${p.username}`, name: p.username, accountId: CUSTOMER_ACCOUNT.id, authMode: 'password' as const, username: p.username, password: p.password, dynamic: true })
    const version = await a.updateConfig({
      params: { SS_REGISTER_KEEPALIVE: 0 },
      accounts: [CUSTOMER_ACCOUNT],
      mappingGateways: [{ ...LOCAL_IP_CUSTOMER, ips: ['192.0.2.1'] }, gateway(atB), gateway(atA)],
    })
    expect(await waitFor(async () => (await health(b)).configVersion >= version, 10_000)).toBe(true)
    const register = async (core: CoreProcess, p: typeof atA): Promise<void> => {
      const reg = await runSipp({
        scenario: 'uac-register-digest-expect-200.xml', target: core.target, calls: 1, localPort: p.port, auth: p, trace: true, timeoutSec: 10,
        extraArgs: ['-key', 'user', p.username, '-key', 'expires', '3600'],
      })
      expect(outcome(reg), describeSipp(`register ${p.username}`, reg)).toEqual({ ok: 1, failed: 0 })
    }
    const call = (core: CoreProcess, p: typeof atA, calls = 1) => runSipp({
      scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls, rate: 20, localPort: p.port, service: '6600', durationMs: 100, timeoutSec: 10,
    })
    // Node b's worker 0 runs its registrar; its primary publishes the binding, node a reads it within about a second.
    await register(b, atB)
    let vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: 1, timeoutSec: 30 })
    expect(await waitFor(async () => outcome(await call(a, atB)).ok === 1, 15_000)).toBe(true)
    expect(outcome(await settle(vendor, 5_000))).toEqual({ ok: 1, failed: 0 })
    // Node b's primary reads node a's binding and passes it to both workers: calls spread over them by Call-ID.
    await register(a, atA)
    vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: 9, timeoutSec: 30 })
    expect(await waitFor(async () => outcome(await call(b, atA)).ok === 1, 15_000)).toBe(true)
    const spread = await call(b, atA, 8)
    expect(outcome(spread), describeSipp('calls through node b', spread)).toEqual({ ok: 8, failed: 0 })
    expect(outcome(await settle(vendor, 5_000))).toEqual({ ok: 9, failed: 0 })
  }, 60_000)
})
