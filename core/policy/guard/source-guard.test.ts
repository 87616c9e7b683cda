// Bans that grow on repeat, failure windows per source and per username, username locks that spare the gateway's own addresses, whitelist, pike, and operators lifting a persisted ban.
import { describe, expect, it } from 'vitest'
import type { ConfigSnapshot } from '../../config/snapshot.js'
import { Metrics } from '../../lib/metrics.js'
import { accessEntry, mappingGateway, policySnapshot } from '../test-support/policy-inputs.js'
import type { AuthRefusal } from './auth-refusals.js'
import type { Ban } from './ban-store.js'
import { SourceGuard } from './source-guard.js'

const PARAMS = { SS_AUTH_FAIL_LIMIT: 3, SS_AUTH_FAIL_WINDOW: 60, SS_AUTH_BAN_TIME: 100, SS_AUTH_BAN_TIME_MAX: 350, SS_AUTH_USER_LOCK_FAILURES: 5, SS_AUTH_USER_LOCK_TIME: 30 }

function setup(over: Parameters<typeof policySnapshot>[0] = {}) {
  const config = { current: policySnapshot({ parameters: PARAMS, ...over }) as ConfigSnapshot }
  const banned: Ban[] = []
  const metrics = new Metrics()
  const guard = new SourceGuard({ config, metrics, observer: { onBan: (b) => banned.push(b) } })
  const fail = (ip: string, atMs: number, o: Partial<AuthRefusal> = {}): void =>
    guard.onAuthRefused({ atMs, sourceIp: ip, sourcePort: 5060, reason: 'wrong_password', mappingGatewayId: 'mgPw', username: 'alice', ...o })
  const out = (ip: string, atMs: number) => guard.shutOut(config.current, ip, atMs)
  return { config, guard, banned, metrics, fail, out }
}

describe('SourceGuard', () => {
  it('bans a source at the SS_AUTH_FAIL_LIMIT-th failure within the window, not for failures spread wider', () => {
    const g = setup()
    g.fail('203.0.113.5', 0)
    g.fail('203.0.113.5', 30_000)
    g.fail('203.0.113.5', 61_000)
    expect(g.out('203.0.113.5', 61_000)).toBeNull()
    g.fail('203.0.113.5', 62_000)
    expect(g.out('203.0.113.5', 62_000)).toEqual({ reason: 'auth_failures', untilMs: 162_000 })
    expect(g.banned.map((b) => [b.ip, b.offences])).toEqual([['203.0.113.5', 1]])
    expect(g.out('203.0.113.5', 162_000)).toBeNull()
    expect(g.metrics.get('security_bans_total')?.get('auth_failures')).toBe(1)
    expect(g.metrics.get('policy_auth_refusals_total')?.get('wrong_password')).toBe(4)
  })

  it('doubles each repeat ban up to SS_AUTH_BAN_TIME_MAX, and starts over once the source stayed clean that long', () => {
    const g = setup()
    const offend = (from: number) => [0, 1, 2].forEach((i) => g.fail('203.0.113.5', from + i))
    offend(0)
    offend(200_000)
    offend(500_000)
    expect(g.banned.map((b) => [b.offences, (b.untilMs - b.sinceMs) / 1000])).toEqual([[1, 100], [2, 200], [3, 350]])
    const lastEnd = g.banned[2]!.untilMs
    offend(lastEnd + 350_000)
    expect(g.banned[3]).toMatchObject({ offences: 1 })
  })

  it('continues the count a restart left in the blacklist table', () => {
    const g = setup({ accessList: [accessEntry('blacklist', '203.0.113.5/32', { origin: 'core', reason: 'auth_failures', offences: 2, expiresAtMs: -1 })] })
    ;[0, 1, 2].forEach((i) => g.fail('203.0.113.5', 1000 + i))
    expect(g.banned[0]).toMatchObject({ offences: 3, untilMs: 1002 + 350_000 })
  })

  it('never bans a whitelisted source or an address configured on a gateway', () => {
    const g = setup({
      accessList: [accessEntry('whitelist', '198.51.100.0/24')],
      mappingGateways: [mappingGateway('mgPw', { authMode: 'password', username: 'alice', password: 'secret', ips: ['192.0.2.77'] })],
    })
    for (let i = 0; i < 20; i++) {
      g.fail('198.51.100.9', i)
      g.fail('192.0.2.77', i)
    }
    expect(g.banned).toEqual([])
    expect(g.guard.overRate(g.config.current, '198.51.100.9', 0)).toBe(false)
    expect(g.guard.ban(g.config.current, '198.51.100.9', 'request_flood', 0, 60)).toBeNull()
  })

  it('stops applying an automatic ban once the address is configured on a gateway, but keeps an operator\'s entry', () => {
    const g = setup()
    ;[0, 1, 2].forEach((i) => g.fail('192.0.2.99', i))
    expect(g.out('192.0.2.99', 10)).not.toBeNull()
    g.config.current = policySnapshot({ parameters: PARAMS, mappingGateways: [mappingGateway('mgNew', { authMode: 'ip', ips: ['192.0.2.99'] })] })
    expect(g.out('192.0.2.99', 10)).toBeNull()
    g.config.current = policySnapshot({
      parameters: PARAMS, mappingGateways: [mappingGateway('mgNew', { authMode: 'ip', ips: ['192.0.2.99'] })], accessList: [accessEntry('blacklist', '192.0.2.99/32')],
    })
    expect(g.out('192.0.2.99', 10)).toEqual({ reason: 'manual', untilMs: null })
  })

  it('answers a blacklist entry covering the source, permanent or until it expires, unless the source is also whitelisted', () => {
    const g = setup({
      accessList: [
        accessEntry('blacklist', '203.0.113.0/24'), accessEntry('blacklist', '198.51.100.4/32', { expiresAtMs: 5000 }),
        accessEntry('whitelist', '203.0.113.200/32'),
      ],
    })
    expect(g.out('203.0.113.77', 0)).toEqual({ reason: 'manual', untilMs: null })
    expect(g.out('198.51.100.4', 4999)).toEqual({ reason: 'manual', untilMs: 5000 })
    expect(g.out('198.51.100.4', 5000)).toBeNull()
    expect(g.out('203.0.113.200', 0)).toBeNull()
  })

  it('locks a username guessed from several sources, but not for the gateway\'s listed IPs or the address it last authenticated from', () => {
    const g = setup({
      parameters: { ...PARAMS, SS_AUTH_FAIL_LIMIT: 2 },
      mappingGateways: [mappingGateway('mgPw', { authMode: 'password', username: 'alice', password: 'secret', ips: [] })],
    })
    const gw = g.config.current.mappingGateways.get('mgPw')!
    g.guard.onAuthenticated('mgPw', '192.0.2.50')
    // Each attacking address is banned at its 2nd failure; it takes 5 failures, so 3 addresses, to lock the username.
    ;['203.0.113.1', '203.0.113.1', '203.0.113.2', '203.0.113.2'].forEach((ip, i) => g.fail(ip, i))
    expect(g.guard.userLocked(g.config.current, gw, '203.0.113.9', 10)).toBe(false)
    g.fail('203.0.113.3', 5)
    expect(g.banned.map((b) => b.ip)).toEqual(['203.0.113.1', '203.0.113.2'])
    expect(g.guard.userLocked(g.config.current, gw, '203.0.113.9', 10)).toBe(true)
    expect(g.guard.userLocked(g.config.current, gw, '192.0.2.50', 10)).toBe(false)
    expect(g.guard.userLocked(g.config.current, gw, '203.0.113.9', 5 + 30_000)).toBe(false)
    expect(g.metrics.get('security_user_locks_total')?.get()).toBe(1)
  })

  it('does not let failures from the gateway\'s known address count towards its lock, and forgets a source\'s failures once it authenticates', () => {
    const g = setup()
    g.guard.onAuthenticated('mgPw', '192.0.2.50')
    for (let i = 0; i < 10; i++) g.fail('192.0.2.50', i * 1000)
    const gw = g.config.current.mappingGateways.get('mgPw')!
    expect(g.guard.userLocked(g.config.current, gw, '203.0.113.9', 10_000)).toBe(false)
    g.fail('203.0.113.8', 0)
    g.fail('203.0.113.8', 1)
    g.guard.onAuthenticated('mgPw', '203.0.113.8')
    g.fail('203.0.113.8', 2)
    expect(g.out('203.0.113.8', 3)).toBeNull()
  })

  it('counts an unanswered-challenge flood once per SS_AUTH_CHALLENGE_LIMIT challenges, and credentials reset it', () => {
    const g = setup({ parameters: { ...PARAMS, SS_AUTH_CHALLENGE_LIMIT: 4 } })
    const hits = Array.from({ length: 9 }, (_, i) => g.guard.onChallenge(g.config.current, '203.0.113.5', i))
    expect(hits.map((h, i) => (h ? i : -1)).filter((i) => i >= 0)).toEqual([3, 7])
    g.guard.onChallenge(g.config.current, '203.0.113.6', 0)
    g.guard.onChallenge(g.config.current, '203.0.113.6', 1)
    g.guard.onCredentials('203.0.113.6')
    expect([2, 3, 4].map((t) => g.guard.onChallenge(g.config.current, '203.0.113.6', t))).toEqual([false, false, false])
  })

  it('bans a source over SS_PIKE_RATE once its SS_PIKE_BURST is spent, for SS_PIKE_BAN_TIME', () => {
    const g = setup({ parameters: { ...PARAMS, SS_PIKE_RATE: 10, SS_PIKE_BURST: 20, SS_PIKE_BAN_TIME: 60 } })
    const over = Array.from({ length: 25 }, () => g.guard.overRate(g.config.current, '203.0.113.5', 1000))
    expect(over.indexOf(true)).toBe(20)
    expect(g.out('203.0.113.5', 1000)).toEqual({ reason: 'request_flood', untilMs: 61_000 })
    // 10 a second is fine for another source.
    expect(Array.from({ length: 30 }, (_, i) => g.guard.overRate(g.config.current, '203.0.113.6', i * 100)).includes(true)).toBe(false)
  })

  it('lifts a persisted ban an operator deleted (absent from a snapshot read after it was written), and keeps one not yet written', () => {
    const g = setup()
    ;[0, 1, 2].forEach((i) => g.fail('203.0.113.5', i))
    ;[0, 1, 2].forEach((i) => g.fail('203.0.113.6', i))
    g.banned[0]!.persistedAtMs = 10
    g.guard.onConfigSwap(policySnapshot({ parameters: PARAMS, loadedAtMs: 20 }))
    expect(g.out('203.0.113.5', 30)).toBeNull()
    expect(g.out('203.0.113.6', 30)).not.toBeNull()
    g.banned[1]!.persistedAtMs = 40
    g.guard.onConfigSwap(policySnapshot({ parameters: PARAMS, loadedAtMs: 35 }))
    expect(g.out('203.0.113.6', 50)).not.toBeNull()
  })
})

/** A primary's judge and `n` worker guards wired as the IPC channel wires them (every ban and lock sent to every worker). */
function node(n: number, parameters: Record<string, unknown> = PARAMS) {
  const config = { current: policySnapshot({ parameters, mappingGateways: [mappingGateway('mgPw', { authMode: 'password', username: 'alice', password: 'secret', ips: [] })] }) as ConfigSnapshot }
  const workers: SourceGuard[] = []
  const banned: Ban[] = []
  const metrics = new Metrics()
  const judge = new SourceGuard({
    config, metrics,
    observer: {
      onBan: (b) => {
        banned.push(b)
        for (const w of workers) w.bans.put(b)
      },
      onUserLock: (id, until) => workers.forEach((w) => w.lockUser(id, until)),
    },
  })
  for (let i = 0; i < n; i++) {
    workers.push(new SourceGuard({
      config, metrics: new Metrics(), share: 1 / n,
      judge: { refused: (r) => judge.count(r), offence: (o) => void judge.judgeOffence(o), cleared: (ip) => judge.clearFailures(ip) },
    }))
  }
  const fail = (w: number, ip: string, atMs: number): void =>
    workers[w]!.onAuthRefused({ atMs, sourceIp: ip, sourcePort: 5060, reason: 'wrong_password', mappingGatewayId: 'mgPw', username: 'alice' })
  return { config, judge, workers, banned, metrics, fail }
}

describe('SourceGuard on a node of several workers', () => {
  it('bans a source at SS_AUTH_FAIL_LIMIT failures spread over every worker, decided once by the judge and kept by every worker', () => {
    const g = node(4)
    g.fail(0, '203.0.113.5', 0)
    g.fail(1, '203.0.113.5', 1)
    expect(g.workers.map((w) => w.shutOut(g.config.current, '203.0.113.5', 2))).toEqual([null, null, null, null])
    g.fail(2, '203.0.113.5', 2)
    expect(g.banned.map((b) => [b.ip, b.reason, b.offences])).toEqual([['203.0.113.5', 'auth_failures', 1]])
    for (const w of g.workers) expect(w.shutOut(g.config.current, '203.0.113.5', 3)).toEqual({ reason: 'auth_failures', untilMs: 100_002 })
    expect(g.metrics.get('security_bans_total')?.get('auth_failures')).toBe(1)
  })

  it('forgets a source\'s failures at the judge when a worker that reported them verifies its digest', () => {
    const g = node(2)
    g.fail(0, '203.0.113.8', 0)
    g.fail(1, '203.0.113.8', 1)
    g.workers[0]!.onAuthenticated('mgPw', '203.0.113.8')
    g.fail(1, '203.0.113.8', 2)
    g.fail(0, '203.0.113.8', 3)
    expect(g.banned).toEqual([])
    g.fail(1, '203.0.113.8', 4)
    expect(g.banned).toHaveLength(1)
  })

  it('locks a username guessed through every worker, on every worker', () => {
    const g = node(3, { ...PARAMS, SS_AUTH_FAIL_LIMIT: 2 })
    ;['203.0.113.1', '203.0.113.1', '203.0.113.2', '203.0.113.2', '203.0.113.3'].forEach((ip, i) => g.fail(i % 3, ip, i))
    const gw = g.config.current.mappingGateways.get('mgPw')!
    expect(g.workers.map((w) => w.userLocked(g.config.current, gw, '203.0.113.9', 10))).toEqual([true, true, true])
    expect(g.metrics.get('security_user_locks_total')?.get()).toBe(1)
  })

  it('runs pike on each worker\'s share of SS_PIKE_RATE and SS_PIKE_BURST: the node admits no more than one process would, and one flood is one ban', () => {
    const g = node(4, { ...PARAMS, SS_PIKE_RATE: 20, SS_PIKE_BURST: 100, SS_PIKE_BAN_TIME: 60 })
    let admitted = 0
    for (let i = 0; i < 400; i++) if (!g.workers[i % 4]!.overRate(g.config.current, '203.0.113.5', 1000)) admitted++
    expect(admitted).toBe(100)
    expect(g.banned.map((b) => [b.reason, b.untilMs])).toEqual([['request_flood', 61_000]])
    expect(g.metrics.get('security_bans_total')?.get('request_flood')).toBe(1)
    // 20 a second spread over the workers passes.
    let refused = 0
    for (let i = 0; i < 200; i++) if (g.workers[i % 4]!.overRate(g.config.current, '203.0.113.6', i * 50)) refused++
    expect(refused).toBe(0)
    expect(g.workers[0]!.transactionCap(g.config.current)).toBe(125)
  })
})
