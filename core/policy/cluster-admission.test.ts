// Covers docs/operations.md "Several core nodes": admission across two nodes sharing one real redis-server, as the metrics count it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Decision } from '../call/ports.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import { SystemClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { KEY_PREFIX, SharedState } from '../shared-state/shared-state.js'
import { startRedis, type RedisServer } from '../shared-state/test-support/redis-server.js'
import { CallGuards, MemorySpendCounter } from './call-guards.js'
import { ClusterAdmission } from './cluster-admission.js'
import { ClusterLimits } from './cluster-limits.js'
import { ClusterMoney } from './cluster-money.js'
import { PolicyController } from './controller.js'
import { LineCounters } from './limits.js'
import { account, admission, invite, mappingGateway, policySnapshot, rate, routingGateway, type FixtureInput } from './test-support/policy-inputs.js'
import type { AdmittedCall } from './admitted-call.js'
import { until } from '../shared-state/test-support/until.js'

const URI = 'sip:4930123@203.0.113.1'
const NOW = Date.UTC(2024, 0, 3, 12)

let redis: RedisServer
const stops: (() => Promise<void>)[] = []

/** One core node: its own counters, controller and link to the shared Redis. */
function node(id: string, input: FixtureInput) {
  const clock = new SystemClock()
  const metrics = new Metrics()
  const shared = new SharedState({ url: redis.url, nodeId: id, ttlMs: 10_000, clock, log: silentLogger, metrics })
  const lines = new LineCounters()
  const guards = new CallGuards({ spend: new MemorySpendCounter(() => 'UTC') })
  const cluster = new ClusterLimits(shared, lines, guards)
  const config = { current: policySnapshot(input) as ConfigSnapshot }
  const controller = new PolicyController({ config, metrics, lines, guards, cluster, random: () => 0 })
  const money = new ClusterMoney(shared)
  const admit = new ClusterAdmission(controller, cluster, config, money)
  shared.start()
  stops.push(async () => {
    await shared.stop()
    clock.stop()
  })
  const call = async (): Promise<Decision> => admit.admit(admission(invite(URI), '192.0.2.10', 5060, Date.now()))
  const admissions = (result: string): number => metrics.get('policy_admissions_total')?.get(result) ?? 0
  return { shared, metrics, money, call, admissions }
}

beforeAll(async () => {
  redis = await startRedis()
})

afterAll(async () => {
  for (const stop of stops) await stop()
  await redis.stop()
})

describe('ClusterAdmission against a real redis-server', () => {
  it('counts a call refused by the limits across nodes as refused with its reason, never as routed', async () => {
    const input: FixtureInput = {
      accounts: [account('acc1')],
      mappingGateways: [mappingGateway('mgOne', { authMode: 'ip', ips: ['192.0.2.10'], lineLimit: 1 })],
      routingGateways: [routingGateway('rg', { prefixes: ['49'] })],
    }
    const a = node('count-a', input)
    const b = node('count-b', input)
    await until(() => a.shared.up && b.shared.up)
    expect((await a.call()).kind).toBe('route')
    // b's own counters are empty, so it admits locally; Redis holds a's line and refuses.
    expect(await b.call()).toMatchObject({ kind: 'reject', status: 503, reason: 'CallLimitExceeded' })
    expect([a.admissions('route'), b.admissions('route'), b.admissions('CallLimitExceeded')]).toEqual([1, 0, 1])
  })

  it('reserves a prepaid account\'s calls in progress on every node against its one balance, atomically, and frees a node\'s reservations when it leaves', async () => {
    // Balance 3 at 1/min, calls capped at 60 s: each call reserves 1, so three calls across both nodes, not three each.
    const input: FixtureInput = {
      parameters: { SS_MAXCALLDURATION: 60 },
      accounts: [account('acc1', { type: 'prepaid', balance: 3, rateTableId: 'rtC' })],
      mappingGateways: [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'] })],
      routingGateways: [routingGateway('rg', { prefixes: ['49'] })],
      rates: [rate('rtC', '49', 1)],
    }
    const a = node('money-a', input)
    const b = node('money-b', input)
    await until(() => a.shared.up && b.shared.up)
    const decisions = await Promise.all([a.call(), b.call(), a.call(), b.call(), a.call()])
    expect(decisions.filter((d) => d.kind === 'route')).toHaveLength(3)
    expect(decisions.filter((d) => d.kind === 'reject').map((d) => d.kind === 'reject' && d.reason)).toEqual(['AccountBalanceNotEnough', 'AccountBalanceNotEnough'])
    expect(a.money.heldBy('acc1') + b.money.heldBy('acc1')).toBe(3)
    // The answer reserves what the grant pays for: 60 s.
    const admitted = decisions.find((d): d is AdmittedCall => d.kind === 'route')!
    expect(admitted.answered(admitted.targets[0]!, Date.now())).toBe(60)
    // A call that ends gives its money back everywhere: another node can use it.
    admitted.release()
    const next = await b.call()
    expect(next.kind).toBe('route')
    // A node that leaves (or whose heartbeat expires) stops holding: its calls' money is free on the other node.
    const onA = decisions.filter((d, i) => i % 2 === 0 && d.kind === 'route' && d !== admitted).length
    await a.shared.stop()
    const more = await Promise.all(Array.from({ length: onA + 1 }, () => b.call()))
    expect(more.filter((d) => d.kind === 'route')).toHaveLength(onA)
  })

  it('reserves on this node\'s share of the balance while Redis is down, and writes those reservations into Redis when it is back', async () => {
    const input: FixtureInput = {
      parameters: { SS_MAXCALLDURATION: 60 },
      accounts: [account('acc2', { type: 'prepaid', balance: 12, rateTableId: 'rtC' })],
      mappingGateways: [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'], accountId: 'acc2' })],
      routingGateways: [routingGateway('rg', { prefixes: ['49'] })],
      rates: [rate('rtC', '49', 1)],
    }
    const c = node('money-c', input)
    await until(() => c.shared.up && c.shared.liveNodes.includes('money-c'))
    await redis.stop()
    await until(() => !c.shared.up)
    const share = Math.floor(12 / c.shared.liveNodes.length)
    const decisions = await Promise.all(Array.from({ length: share + 1 }, () => c.call()))
    expect(decisions.filter((d) => d.kind === 'route')).toHaveLength(share)
    expect(c.metrics.get('shared_state_fallback_decisions_total')?.get()).toBeGreaterThan(0)
    await redis.start()
    await until(() => c.shared.up)
    expect(await c.shared.totals([KEY_PREFIX + '$:a:acc2'])).toEqual([share])
  })
})
