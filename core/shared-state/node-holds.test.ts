// The primary's count of its workers' holds against a real redis-server: one node in Redis for every worker, exact against another node, a dead worker's holds out of Redis at the next resync, and the node's share while Redis is stopped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SystemClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { NodeHolds } from './node-holds.js'
import { KEY_PREFIX, SharedState } from './shared-state.js'
import { liveTotal, startRedis, type RedisServer } from './test-support/redis-server.js'
import { until } from './test-support/until.js'

const LINES = KEY_PREFIX + 'c:r:node-holds-gw'
/** TAKE_LUA program: no bucket, one limit on key 3 (LINES) of `limit`, no reservations, increment key 3. */
const takeLine = (limit: number): number[] => [0, 1, 3, limit, 0, 1, 3]

let redis: RedisServer
const clocks: SystemClock[] = []
const links: SharedState[] = []

function link(nodeId: string, ttlMs = 1_000): SharedState {
  const clock = new SystemClock()
  clocks.push(clock)
  const s = new SharedState({ url: redis.url, nodeId, ttlMs, clock, log: silentLogger, metrics: new Metrics() })
  links.push(s)
  return s
}

beforeAll(async () => {
  redis = await startRedis()
})

afterAll(async () => {
  for (const l of links) await l.stop().catch(() => undefined)
  for (const c of clocks) c.stop()
  await redis.stop()
})

describe('NodeHolds with Redis', () => {
  it('counts every worker of a node as one node in Redis, exact against another node, and frees a dead worker\'s holds at the next resync', async () => {
    const a = link('holds-a')
    const b = link('holds-b')
    const node = new NodeHolds(() => Date.now(), a)
    a.start()
    b.start()
    await until(() => a.up && b.up)
    // Two workers of node a and node b take a limit of 6 at once.
    const asks = Array.from({ length: 12 }, (_, i) => [100 + (i % 3), i + 1] as const)
    const takes = await Promise.all(asks.map(([worker, id]) => (worker === 102 ? b.take([LINES], takeLine(6)) : node.take(worker, id, [LINES], takeLine(6)))))
    expect(takes.filter((r) => r?.[0] === 0)).toHaveLength(6)
    const held = node.total(LINES)
    expect(held).toBe(node.holdsOf(100) + node.holdsOf(101))
    expect(await liveTotal(redis.url, LINES)).toBe(6)
    // Worker 100 dies: its holds stop counting here at once and in Redis at the next resync (every ttl / 5).
    const dead = node.holdsOf(100)
    expect(dead).toBeGreaterThan(0)
    node.forget(100)
    expect(node.total(LINES)).toBe(held - dead)
    await until(async () => (await liveTotal(redis.url, LINES)) === 6 - dead, 2_000)
    // A give-back of the living worker leaves Redis at once.
    const kept = asks.find(([worker], i) => worker === 101 && takes[i]?.[0] === 0)
    if (kept !== undefined) {
      const before = await liveTotal(redis.url, LINES)
      node.release(kept[0], kept[1])
      await until(async () => (await liveTotal(redis.url, LINES)) === before - 1, 1_000)
    }
    await a.stop()
    await b.stop()
  })

  it('takes on the node\'s share of a limit while Redis is stopped, and writes what it holds when Redis is back', async () => {
    const a = link('share-a')
    const b = link('share-b')
    const node = new NodeHolds(() => Date.now(), a)
    a.start()
    b.start()
    await until(() => a.up && b.up && a.liveNodes.length === 2)
    await redis.stop()
    await until(() => !a.up)
    // A limit of 7 over two live nodes: node a's share is 4 (the remainder goes to the first id).
    const takes = await Promise.all(Array.from({ length: 10 }, (_, i) => node.take(100 + (i % 2), i + 1, [LINES + ':share'], takeLine(7))))
    expect(takes.filter((r) => r[0] === 0)).toHaveLength(4)
    await redis.start()
    await until(() => a.up, 10_000)
    expect(await liveTotal(redis.url, LINES + ':share')).toBe(4)
  }, 30_000)
})
