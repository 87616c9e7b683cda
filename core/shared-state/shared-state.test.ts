// Covers docs/operations.md "Several core nodes": exact line limits across nodes, a silent node's holds freed at its expiry, the per-node share and a resync while Redis is away.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SystemClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { KEY_PREFIX, SharedState } from './shared-state.js'
import { startRedis, type RedisServer } from './test-support/redis-server.js'
import { until } from './test-support/until.js'

const LINES = KEY_PREFIX + 'c:m:test-gw'
const SILENT = KEY_PREFIX + 'c:m:test-silent'
const RESYNC = KEY_PREFIX + 'c:m:test-resync'
const BUCKET = KEY_PREFIX + 'b:m:test-cps'
const FRESH_BUCKET = KEY_PREFIX + 'b:m:test-cps-fresh'
const AHEAD_BUCKET = KEY_PREFIX + 'b:m:test-cps-ahead'
/** TAKE_LUA program: one token bucket on key 3 of `rate` per second and `burst`, no limits, no increments. */
const takeToken = (rate: number, burst: number): (string | number)[] => [1, 3, rate, burst, 0, 0]
/** TAKE_LUA program: no bucket, one limit on key 3 (LINES) of `limit`, no reservations, increment key 3. */
const takeLine = (limit: number): (string | number)[] => [0, 1, 3, limit, 0, 1, 3]

let redis: RedisServer
const clocks: SystemClock[] = []
const links: SharedState[] = []

/** Long enough that a heartbeat delayed by a loaded machine never lets a node expire in tests that do not expect it. */
const STEADY_TTL_MS = 10_000

function link(nodeId: string, ttlMs = STEADY_TTL_MS, holds: () => Iterable<readonly [string, number]> = () => []): SharedState {
  const clock = new SystemClock()
  clocks.push(clock)
  const s = new SharedState({ url: redis.url, nodeId, ttlMs, clock, log: silentLogger, metrics: new Metrics() })
  s.addSource({ holds })
  links.push(s)
  s.start()
  return s
}

/** The first total of `keys` as `node` sees it now. */
const totalOf = async (node: SharedState, key: string): Promise<number | undefined> => (await node.totals([key]))?.[0]

beforeAll(async () => {
  redis = await startRedis()
})

afterAll(async () => {
  for (const l of links) await l.stop()
  for (const c of clocks) c.stop()
  await redis.stop()
})

describe('SharedState against a real redis-server', () => {
  it('admits exactly the line limit across two nodes taking at once', async () => {
    const a = link('node-a')
    const b = link('node-b')
    await until(() => a.up && b.up)
    const takes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).take([LINES], takeLine(10))))
    expect(takes.filter((r) => r?.[0] === 0)).toHaveLength(10)
    // Which node won how many depends on arrival order; what b holds is what b took.
    const heldByB = takes.filter((r, i) => i % 2 === 1 && r?.[0] === 0).length
    expect(takes.filter((r) => r?.[0] === 2)).toHaveLength(10)
    expect(await a.totals([LINES])).toEqual([10])
    const held = a.hold()
    held.confirmed = true
    a.release(held, [LINES])
    await until(async () => (await totalOf(b, LINES)) === 9)
    await a.stop()
    // A node that leaves takes its holds with it at once.
    expect(await b.totals([LINES])).toEqual([heldByB])
    await b.stop()
  })

  it('frees what a silent node held at its heartbeat expiry (its last beat + ttl), and its share while Redis is away is limit / nodes', async () => {
    // Long enough that a test process stalled by a loaded machine still beats before node-d's expiry while both run.
    const TTL = 3_000
    const a = link('node-c', STEADY_TTL_MS)
    const b = link('node-d', TTL)
    await until(() => a.up && b.up && a.liveNodes.length === 2 && b.liveNodes.length === 2)
    for (let i = 0; i < 4; i++) expect((await b.take([SILENT], takeLine(10)))?.[0]).toBe(0)
    expect(await totalOf(a, SILENT)).toBe(4)
    expect([a.lineShare(10), b.lineShare(10), a.lineShare(3) + b.lineShare(3)]).toEqual([5, 5, 3])
    // node-d goes silent (as under kill -9): no heartbeat, no goodbye.
    ;(b as unknown as { stopped: boolean }).stopped = true
    ;(b as unknown as { timer: { cancel(): void } | null }).timer?.cancel()
    await until(() => !(b as unknown as { inFlight: unknown }).inFlight)
    // The bound is stated on Redis's clock, so a slow test process cannot blur it: the expiry node-d's last heartbeat
    // wrote is at most TTL after that beat, its holds count until then and not after.
    const raw = new Redis(redis.url, { maxRetriesPerRequest: 1 })
    try {
      const redisNow = async (): Promise<number> => {
        const [sec, usec] = await raw.time()
        return Number(sec) * 1000 + Math.floor(Number(usec) / 1000)
      }
      const silentAt = await redisNow()
      const expiry = Number(await raw.hget(KEY_PREFIX + 'nodes', 'node-d'))
      expect(expiry - silentAt).toBeLessThanOrEqual(TTL)
      await until(async () => (await totalOf(a, SILENT)) === 0)
      // A node is alive while its expiry is later than Redis's now, so its holds go at the expiry's millisecond at the
      // earliest: a read in that same millisecond equals it.
      expect(await redisNow()).toBeGreaterThanOrEqual(expiry)
    } finally {
      raw.disconnect()
    }
  })

  it('falls back while redis-server is stopped and resyncs its holds when it is back', async () => {
    let held = 3
    const a = link('node-e', STEADY_TTL_MS, () => [[RESYNC, held]])
    await until(() => a.up)
    expect(await a.totals([RESYNC])).toEqual([3])
    const pid = redis.pid
    await redis.stop()
    expect(pid).toBeDefined()
    await until(() => !a.up)
    expect(a.mode).toBe('fallback')
    expect(a.downSince).not.toBeNull()
    expect(a.take([RESYNC], takeLine(10))).toBeUndefined()
    held = 5
    await redis.start()
    await until(() => a.up)
    expect(a.mode).toBe('redis')
    // The new server knew nothing: the node wrote what it holds now.
    expect(await a.totals([RESYNC])).toEqual([5])
  })

  it('starts CPS buckets of a restarted, empty Redis from what they refilled since it came back (no extra burst), and refills a bucket stamped in the future from now (no lock-out)', async () => {
    const RATE = 5
    const BURST = 10
    const a = link('node-f')
    await until(() => a.up)
    await redis.stop()
    await redis.start()
    await until(() => a.up)
    const raw = new Redis(redis.url, { maxRetriesPerRequest: 1 })
    try {
      const redisNow = async (): Promise<number> => {
        const [sec, usec] = await raw.time()
        return Number(sec) * 1000 + Math.floor(Number(usec) / 1000)
      }
      const taken = async (key: string, n: number): Promise<number> =>
        (await Promise.all(Array.from({ length: n }, () => a.take([key], takeToken(RATE, BURST))))).filter((r) => r?.[0] === 0).length
      // The resync stamped when this Redis began holding state; a burst taken now finds only what refilled since.
      const since = Number(await raw.hget(KEY_PREFIX + 'nodes', '~since'))
      expect(since).toBeGreaterThan(0)
      const first = await taken(BUCKET, BURST)
      const after = await redisNow()
      expect(first).toBeLessThanOrEqual(Math.floor(((after - since) * RATE) / 1000))
      expect(first).toBeLessThan(BURST)
      // Never locked out: the bucket keeps refilling at the rate.
      await until(async () => (await taken(BUCKET, 1)) === 1)
      // Once a whole burst's refill has passed, a bucket Redis does not hold starts full, and only full.
      await until(async () => (await redisNow()) - since > (BURST / RATE) * 1000)
      const t0 = await redisNow()
      const burst = await taken(FRESH_BUCKET, BURST + 2)
      const t1 = await redisNow()
      expect(burst).toBeGreaterThanOrEqual(BURST)
      expect(burst).toBeLessThanOrEqual(BURST + Math.floor(((t1 - t0) * RATE) / 1000))
      // A bucket stamped an hour ahead (the server's clock went back) refills from now.
      await raw.hset(AHEAD_BUCKET, 't', '0', 'at', String((await redisNow()) + 3_600_000))
      await until(async () => (await taken(AHEAD_BUCKET, 1)) === 1)
    } finally {
      raw.disconnect()
    }
  })
})
