// Redis stopped for 60 s under load (docs/operations.md "Several core nodes", "Redis down"): two core nodes carry a steady SIPp load while their redis-server is frozen with SIGSTOP; calls go on, each node holds its share of a line limit, /health and /metrics say so, no CDR is lost, and once Redis answers again it holds exactly what the nodes hold and the limit is exact across nodes.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { liveTotal, startRedis, type RedisServer } from '../shared-state/test-support/redis-server.js'
import { CUSTOMER_ACCOUNT, LOCAL_IP_CUSTOMER, cdrSummary, outcome, settle, vendorGateway } from './test-support/call-fixtures.js'
import { brief, cdrMark, readCdrs } from './test-support/config-seed.js'
import { describeSipp, freeUdpPort, health, metric, startCore, startSipp, startSippUas, waitFor, type CoreProcess, type SippProcess } from './test-support/harness.js'

const OUTAGE_MS = 60_000
const TTL_MS = 2_000
/** The limit probed across nodes: 5 per node while Redis is down (two nodes), 10 in all once it is back. */
const LIMIT = 10
const SHARE = LIMIT / 2
const PROBE = 8
/** The steady load on each node: 10 calls a second held 0.5 s, about 80 s of it (the outage and what follows). */
const LOAD_RATE = 10
const LOAD_CALLS = 800
const KEYS = { limited: '{ss}:c:r:rgw_limited', load: '{ss}:c:r:rgw_load', mapping: '{ss}:c:m:mgw_local' }

type SharedHealth = { mode: string; nodes: number; downSince: string | null }
async function sharedHealth(core: CoreProcess): Promise<SharedHealth | undefined> {
  return ((await health(core)) as unknown as { sharedState?: SharedHealth }).sharedState
}

/** The scheduler state of a process from /proc (`T` stopped by a signal, `S` sleeping, `R` running). */
function processState(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[0] ?? '?'
}

/** Shared-limit takes that reached Redis (the round-trip histogram's count). */
function takesInRedis(core: CoreProcess): Promise<number> {
  return metric(core, 'softswitch_shared_state_take_seconds_count')
}

describe('two core nodes while their Redis is stopped for 60 s under load', () => {
  let redis: RedisServer
  let a: CoreProcess
  let b: CoreProcess
  let loadPort: number
  let limitedPort: number
  let frozen: number | undefined

  beforeAll(async () => {
    redis = await startRedis()
    loadPort = await freeUdpPort()
    limitedPort = await freeUdpPort()
    const env = (node: string): Record<string, string> => ({ REDIS_URL: redis.url, NODE_ID: node, REDIS_NODE_TTL_MS: String(TTL_MS) })
    a = await startCore(env('node-a'), {
      config: {
        accounts: [CUSTOMER_ACCOUNT],
        // Limits on the customer too, so every call's admission and attempt take in Redis (or on the share).
        mappingGateways: [{ ...LOCAL_IP_CUSTOMER, lineLimit: 60, cpsLimit: 100 }],
        routingGateways: [
          vendorGateway('rgw_load', loadPort, { prefixes: ['6'], lineLimit: 40 }),
          vendorGateway('rgw_limited', limitedPort, { prefixes: ['7'], lineLimit: LIMIT }),
        ],
      },
    })
    // Node b runs two workers: its primary is the node in Redis and counts on the share for both while Redis is down.
    b = await startCore({ ...env('node-b'), CORE_WORKERS: '2' }, { databaseUrl: a.databaseUrl })
    expect(await waitFor(async () => (await sharedHealth(a))?.nodes === 2 && (await sharedHealth(b))?.nodes === 2 && (await sharedHealth(b))?.mode === 'redis', 10_000)).toBe(true)
  })
  afterAll(async () => {
    if (frozen !== undefined) process.kill(frozen, 'SIGCONT')
    await b?.stop()
    await a?.stop()
    await redis?.stop()
  })

  it('carries the load on each node\'s share, loses no CDR, and reconciles the limits when Redis answers again', async () => {
    const mark = await cdrMark(a.database.db)
    const loadVendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: loadPort, calls: 2 * LOAD_CALLS, timeoutSec: 150 })
    // Two probes of PROBE calls each, SHARE of each answered: the vendor of the limited gateway takes LIMIT calls.
    const limitedVendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: limitedPort, calls: LIMIT, timeoutSec: 150 })
    const load = (core: CoreProcess): Promise<SippProcess> => startSipp({
      scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: LOAD_CALLS, rate: LOAD_RATE, service: '6000', durationMs: 500, timeoutSec: 140,
    })
    const probe = (durationMs: number): Promise<SippProcess> => startSipp({
      scenario: 'uac-call-answered-expect-200.xml', target: a.target, calls: PROBE, rate: 100, limit: PROBE, service: '7000', durationMs, timeoutSec: 140, trace: true,
    })
    const [la, lb] = await Promise.all([load(a), load(b)])
    // Both nodes take their calls' limits in Redis before it stops.
    expect(await waitFor(async () => (await takesInRedis(a)) > 0 && (await takesInRedis(b)) > 0, 10_000)).toBe(true)

    const pid = redis.pid!
    process.kill(pid, 'SIGSTOP')
    frozen = pid
    const stoppedAt = Date.now()
    expect(await waitFor(async () => processState(pid) === 'T', 2_000), 'redis-server is stopped').toBe(true)
    expect(await waitFor(async () => (await sharedHealth(a))?.mode === 'fallback' && (await sharedHealth(b))?.mode === 'fallback', 5_000)).toBe(true)
    for (const core of [a, b]) {
      const h = await sharedHealth(core)
      expect(h).toMatchObject({ mode: 'fallback', nodes: 2 })
      expect(h?.downSince).not.toBeNull()
      expect((await health(core)).ok).toBe(true)
      expect(await metric(core, 'softswitch_shared_state_up')).toBe(0)
      expect(await metric(core, 'softswitch_shared_state_errors_total{op="sync"}') + await metric(core, 'softswitch_shared_state_errors_total{op="take"}')).toBeGreaterThan(0)
    }
    // On its share: node a answers SHARE of PROBE concurrent calls to the gateway of LIMIT lines, and holds them
    // until after Redis is back.
    const heldA = await probe(OUTAGE_MS + 15_000)
    const fallbacksA = await metric(a, 'softswitch_shared_state_fallback_decisions_total')
    expect(fallbacksA).toBeGreaterThan(0)
    expect(await metric(b, 'softswitch_shared_state_fallback_decisions_total')).toBeGreaterThan(0)

    // Still stopped after the whole outage, and the nodes still on their shares.
    await new Promise((ok) => setTimeout(ok, Math.max(0, stoppedAt + OUTAGE_MS - Date.now())))
    expect(processState(pid)).toBe('T')
    expect((await sharedHealth(a))?.mode).toBe('fallback')
    expect(await metric(a, 'softswitch_shared_state_fallback_decisions_total')).toBeGreaterThan(fallbacksA)
    const takenBefore = [await takesInRedis(a), await takesInRedis(b)]
    process.kill(pid, 'SIGCONT')
    frozen = undefined
    expect(await waitFor(async () => processState(pid) !== 'T', 2_000)).toBe(true)
    expect(await waitFor(async () => (await sharedHealth(a))?.mode === 'redis' && (await sharedHealth(b))?.mode === 'redis', 10_000)).toBe(true)
    for (const core of [a, b]) {
      expect(await metric(core, 'softswitch_shared_state_up')).toBe(1)
      expect((await sharedHealth(core))?.downSince).toBeNull()
    }
    // Reconciled: Redis holds node a's SHARE held calls on the limited gateway, whatever it replayed from the outage.
    expect(await liveTotal(redis.url, KEYS.limited)).toBe(SHARE)
    // And the limit is exact across nodes again: node a now answers up to the whole LIMIT, more than its share.
    const more = await probe(3_000)
    expect(await waitFor(async () => (await liveTotal(redis.url, KEYS.limited)) === LIMIT, 10_000)).toBe(true)
    const rMore = await more.done()
    expect(outcome(rMore), describeSipp('probe after the outage', rMore)).toEqual({ ok: SHARE, failed: PROBE - SHARE })
    // The load went on through the return: both nodes took calls in Redis again.
    expect(await takesInRedis(a)).toBeGreaterThan(takenBefore[0]!)
    expect(await takesInRedis(b)).toBeGreaterThan(takenBefore[1]!)

    const [ra, rb, rHeld] = await Promise.all([la.done(), lb.done(), heldA.done()])
    const [vLoad, vLimited] = await Promise.all([settle(loadVendor, 10_000), settle(limitedVendor, 10_000)])
    expect(outcome(ra), describeSipp('load on node a', ra)).toEqual({ ok: LOAD_CALLS, failed: 0 })
    expect(outcome(rb), describeSipp('load on node b', rb)).toEqual({ ok: LOAD_CALLS, failed: 0 })
    expect(outcome(rHeld), describeSipp('probe during the outage', rHeld)).toEqual({ ok: SHARE, failed: PROBE - SHARE })
    expect(outcome(vLoad)).toEqual({ ok: 2 * LOAD_CALLS, failed: 0 })
    expect(outcome(vLimited), describeSipp('limited vendor', vLimited)).toEqual({ ok: LIMIT, failed: 0 })

    // No CDR lost: one row per call SIPp placed, from the node that carried it.
    const placed = 2 * LOAD_CALLS + 2 * PROBE
    const cdrs = await readCdrs(a.database.db, { after: mark, count: placed, timeoutMs: 20_000, settleMs: 500 })
    const reasons = (node: string, rgw: string | null, reason: string): number =>
      cdrs.filter((c) => c.nodeId === node && cdrSummary(c).reason === reason && (rgw === null || c.routingGatewayId === rgw)).length
    const why = (): string => JSON.stringify(cdrs.filter((c) => cdrSummary(c).reason !== 'CallerHangup').map(brief))
    expect(reasons('node-a', 'rgw_load', 'CallerHangup'), why()).toBe(LOAD_CALLS)
    expect(reasons('node-b', 'rgw_load', 'CallerHangup'), why()).toBe(LOAD_CALLS)
    expect(reasons('node-a', 'rgw_limited', 'CallerHangup'), why()).toBe(2 * SHARE)
    expect(reasons('node-a', null, 'AllGatewayBusy'), why()).toBe(2 * (PROBE - SHARE))
    for (const core of [a, b]) {
      for (const kind of ['exception', 'rejection']) expect(await metric(core, `softswitch_process_unexpected_errors_total{kind="${kind}"}`), core.output().slice(-3000)).toBe(0)
    }
    // Every call ended: Redis holds what the nodes hold, nothing.
    expect(await waitFor(async () => (await Promise.all(Object.values(KEYS).map((k) => liveTotal(redis.url, k)))).every((n) => n === 0), 5_000)).toBe(true)
  }, 150_000)
})
