// Bans and username locks across nodes through a real redis-server: one node's ban refuses the source on the other within a poll, locks likewise, local bans while Redis is down, and rewritten once an empty Redis is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConfigSnapshot } from '../../config/snapshot.js'
import { SystemClock } from '../../lib/clock.js'
import { silentLogger } from '../../lib/log.js'
import { Metrics } from '../../lib/metrics.js'
import { SharedState } from '../../shared-state/shared-state.js'
import { startRedis, type RedisServer } from '../../shared-state/test-support/redis-server.js'
import { until } from '../../shared-state/test-support/until.js'
import { mappingGateway, policySnapshot } from '../test-support/policy-inputs.js'
import { SharedBans } from './shared-bans.js'
import { SourceGuard } from './source-guard.js'

const PARAMS = { SS_AUTH_FAIL_LIMIT: 2, SS_AUTH_FAIL_WINDOW: 60, SS_AUTH_BAN_TIME: 100, SS_AUTH_BAN_TIME_MAX: 1000, SS_AUTH_USER_LOCK_FAILURES: 3, SS_AUTH_USER_LOCK_TIME: 30 }
const POLL_MS = 100

let redis: RedisServer
const stops: (() => Promise<void> | void)[] = []

/** One core node: its guard, its link to Redis and its shared bans. */
function coreNode(nodeId: string) {
  const clock = new SystemClock()
  const config = { current: policySnapshot({ parameters: PARAMS, mappingGateways: [mappingGateway('mgPw', { authMode: 'password', username: 'alice', password: 'secret', ips: [] })] }) as ConfigSnapshot }
  const link = new SharedState({ url: redis.url, nodeId, ttlMs: 1_000, clock, log: silentLogger, metrics: new Metrics() })
  let shared: SharedBans | null = null
  const guard = new SourceGuard({
    config, metrics: new Metrics(),
    observer: { onBan: (b) => shared?.publishBan(b), onUserLock: (id, until) => shared?.publishLock(id, until) },
  })
  shared = new SharedBans({
    link, clock, log: silentLogger, pollMs: POLL_MS,
    apply: { ban: (b) => void guard.adopt(b, clock.now()), lock: (id, until) => guard.lockUser(id, until) },
    held: () => ({ bans: guard.bans.values(), locks: guard.activeLocks(clock.now()) }),
  })
  link.start()
  shared.start()
  stops.push(() => shared.stop(), () => link.stop(), () => clock.stop())
  const fail = (ip: string): void => guard.onAuthRefused({ atMs: clock.now(), sourceIp: ip, sourcePort: 5060, reason: 'wrong_password', mappingGatewayId: 'mgPw', username: 'alice' })
  const out = (ip: string) => guard.shutOut(config.current, ip, clock.now())
  return { link, guard, config, clock, fail, out, shared }
}

beforeAll(async () => {
  redis = await startRedis()
})

afterAll(async () => {
  for (const s of stops.reverse()) await s()
  await redis.stop()
})

describe('SharedBans against a real redis-server', () => {
  it('refuses a source banned on one node on the other within a poll, with the ban\'s length and count, and locks a username on both', async () => {
    const a = coreNode('node-a')
    const b = coreNode('node-b')
    await until(() => a.link.up && b.link.up)
    a.fail('203.0.113.7')
    a.fail('203.0.113.7')
    expect(a.out('203.0.113.7')?.reason).toBe('auth_failures')
    const t0 = Date.now()
    await until(() => b.out('203.0.113.7') !== null)
    // Within a poll and two round trips; the margin is for a loaded machine.
    expect(Date.now() - t0).toBeLessThan(POLL_MS * 10)
    expect(b.out('203.0.113.7')).toEqual(a.out('203.0.113.7'))
    expect(b.guard.bans.get('203.0.113.7', b.clock.now())?.offences).toBe(1)
    // A repeat on the other node grows from the shared count.
    b.guard.bans.put({ ...b.guard.bans.get('203.0.113.7', 0)!, untilMs: b.clock.now() - 1 })
    b.fail('203.0.113.7')
    b.fail('203.0.113.7')
    expect(b.guard.bans.get('203.0.113.7', b.clock.now())?.offences).toBe(2)
    await until(() => a.guard.bans.get('203.0.113.7', a.clock.now())?.offences === 2)

    const gw = a.config.current.mappingGateways.get('mgPw')!
    ;['198.51.100.1', '198.51.100.2', '198.51.100.3'].forEach((ip) => a.fail(ip))
    expect(a.guard.userLocked(a.config.current, gw, '198.51.100.9', a.clock.now())).toBe(true)
    await until(() => b.guard.userLocked(b.config.current, gw, '198.51.100.9', b.clock.now()))
  })

  it('keeps bans on their node while Redis is down, and writes them again once an empty Redis is back', async () => {
    const a = coreNode('node-c')
    const b = coreNode('node-d')
    await until(() => a.link.up && b.link.up)
    await redis.stop()
    await until(() => !a.link.up)
    a.fail('192.0.2.44')
    a.fail('192.0.2.44')
    expect(a.out('192.0.2.44')).not.toBeNull()
    await new Promise((r) => setTimeout(r, POLL_MS * 3))
    expect(b.out('192.0.2.44')).toBeNull()
    await redis.start()
    await until(() => b.out('192.0.2.44') !== null, 10_000)
    expect(b.out('192.0.2.44')).toEqual(a.out('192.0.2.44'))
  })

  it('lifts on every node a shared ban an operator removed from the database, and a node that starts later does not take it up', async () => {
    const a = coreNode('node-e')
    const b = coreNode('node-f')
    await until(() => a.link.up && b.link.up)
    a.fail('198.51.100.60')
    a.fail('198.51.100.60')
    await until(() => b.out('198.51.100.60') !== null)
    // The ban writer stored it: its node writes it again with the time, as onPersisted does.
    const ban = a.guard.bans.get('198.51.100.60', a.clock.now())!
    ban.persistedAtMs = a.clock.now()
    a.shared.publishBan(ban)
    await until(() => b.guard.bans.get('198.51.100.60', b.clock.now())?.persistedAtMs === ban.persistedAtMs)
    // The operator's DELETE bumps the version: the next snapshot lacks the row.
    const next = policySnapshot({ parameters: PARAMS, loadedAtMs: ban.persistedAtMs + 1 }) as ConfigSnapshot
    b.config.current = next
    b.guard.onConfigSwap(next)
    expect(b.out('198.51.100.60')).toBeNull()
    const c = coreNode('node-g')
    c.config.current = next
    await until(() => c.link.up)
    await new Promise((r) => setTimeout(r, POLL_MS * 4))
    expect(c.out('198.51.100.60')).toBeNull()
  })
})
