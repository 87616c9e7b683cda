// Covers docs/operations.md "Several core nodes": admission across two nodes sharing one real redis-server, as the metrics count it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Decision } from '../call/ports.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import { SystemClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { SharedState } from '../shared-state/shared-state.js'
import { startRedis, type RedisServer } from '../shared-state/test-support/redis-server.js'
import { CallGuards, MemorySpendCounter } from './call-guards.js'
import { ClusterAdmission } from './cluster-admission.js'
import { ClusterLimits } from './cluster-limits.js'
import { PolicyController } from './controller.js'
import { LineCounters } from './limits.js'
import { account, admission, invite, mappingGateway, policySnapshot, routingGateway, type FixtureInput } from './test-support/policy-inputs.js'
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
  const admit = new ClusterAdmission(controller, cluster, config)
  shared.start()
  stops.push(async () => {
    await shared.stop()
    clock.stop()
  })
  const call = async (): Promise<Decision> => admit.admit(admission(invite(URI), '192.0.2.10', 5060, Date.now()))
  const admissions = (result: string): number => metrics.get('policy_admissions_total')?.get(result) ?? 0
  return { shared, metrics, call, admissions }
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
})
