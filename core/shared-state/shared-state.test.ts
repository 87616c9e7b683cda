import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SystemClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { KEY_PREFIX, SharedState } from './shared-state.js'
import { startRedis, type RedisServer } from './test-support/redis-server.js'

const LINES = KEY_PREFIX + 'c:m:test-gw'
/** TAKE_LUA program: no bucket, one limit on key 3 (LINES) of `limit`, no reservations, increment key 3. */
const takeLine = (limit: number): (string | number)[] => [0, 1, 3, limit, 0, 1, 3]

let redis: RedisServer
const clocks: SystemClock[] = []
const links: SharedState[] = []

function link(nodeId: string, ttlMs = 1_000, holds: () => Iterable<readonly [string, number]> = () => []): SharedState {
  const clock = new SystemClock()
  clocks.push(clock)
  const s = new SharedState({ url: redis.url, nodeId, ttlMs, clock, log: silentLogger, metrics: new Metrics() })
  s.addSource({ holds })
  links.push(s)
  s.start()
  return s
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

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
    expect(takes.filter((r) => r?.[0] === 2)).toHaveLength(10)
    expect(await a.totals([LINES])).toEqual([10])
    const held = a.hold()
    held.confirmed = true
    a.release(held, [LINES])
    await until(() => false, 0).catch(() => undefined)
    await new Promise((r) => setTimeout(r, 50))
    expect(await b.totals([LINES])).toEqual([9])
    await a.stop()
    // A node that leaves takes its holds with it at once.
    expect(await b.totals([LINES])).toEqual([5])
    await b.stop()
  })

  it('frees what a silent node held once its heartbeat expires, and its share while Redis is away is limit / nodes', async () => {
    const a = link('node-c', 1_000)
    const b = link('node-d', 1_000)
    await until(() => a.up && b.up && a.liveNodes.length === 2)
    for (let i = 0; i < 4; i++) expect((await b.take([LINES], takeLine(10)))?.[0]).toBe(0)
    expect(await a.totals([LINES])).toEqual([4])
    expect([a.lineShare(10), b.lineShare(10), a.lineShare(3) + b.lineShare(3)]).toEqual([5, 5, 3])
    // node-d goes silent (as under kill -9): no heartbeat, no goodbye.
    const t0 = Date.now()
    ;(b as unknown as { stopped: boolean; timer: { cancel(): void } | null }).stopped = true
    ;(b as unknown as { timer: { cancel(): void } | null }).timer?.cancel()
    await until(() => false, 0).catch(() => undefined)
    for (;;) {
      const [n] = (await a.totals([LINES])) ?? [-1]
      if (n === 0) break
      if (Date.now() - t0 > 3_000) throw new Error(`holds of a silent node still counted after ${Date.now() - t0} ms`)
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(Date.now() - t0).toBeLessThanOrEqual(1_000 + 300)
  })

  it('falls back while redis-server is stopped and resyncs its holds when it is back', async () => {
    let held = 3
    const a = link('node-e', 1_000, () => [[LINES, held]])
    await until(() => a.up)
    expect(await a.totals([LINES])).toEqual([3])
    const pid = redis.pid
    await redis.stop()
    expect(pid).toBeDefined()
    await until(() => !a.up)
    expect(a.mode).toBe('fallback')
    expect(a.downSince).not.toBeNull()
    expect(a.take([LINES], takeLine(10))).toBeUndefined()
    held = 5
    await redis.start()
    await until(() => a.up, 8_000)
    expect(a.mode).toBe('redis')
    // The new server knew nothing: the node wrote what it holds now.
    expect(await a.totals([LINES])).toEqual([5])
  })
})
