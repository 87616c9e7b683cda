// Limits that span calls counted by a node's primary for its workers: four workers' policies take through their real links (limits-link.ts) into one count (node-limits.ts, node-holds.ts), with the process channel replaced by a turn's delay.
import { describe, expect, it } from 'vitest'
import type { AdmissionRequest, Decision, RouteDecision } from '../call/ports.js'
import { Metrics } from '../lib/metrics.js'
import { CallGuards, MemorySpendCounter } from '../policy/call-guards.js'
import { ClusterAdmission } from '../policy/cluster-admission.js'
import { ClusterLimits } from '../policy/cluster-limits.js'
import { PolicyController } from '../policy/controller.js'
import { LineCounters } from '../policy/limits.js'
import { account, admission, gatewayGroup, invite, mappingGateway, policySnapshot, routingGateway, type FixtureInput } from '../policy/test-support/policy-inputs.js'
import { NodeHolds } from '../shared-state/node-holds.js'
import type { ToWorker } from './ipc.js'
import { PrimaryLimitsLink } from './limits-link.js'
import { NodeLimits } from './node-limits.js'

const NOW = Date.UTC(2024, 0, 3, 12)

/** A node of `n` workers: each its own controller and link; the primary's count shared. `pids[i]` is worker i's process now. */
function node(input: FixtureInput, n = 4, nowMs = () => NOW) {
  const snapshot = policySnapshot(input)
  const pids = Array.from({ length: n }, (_, i) => 100 + i)
  const links: PrimaryLimitsLink[] = []
  const holds = new NodeHolds(nowMs)
  const tell = (i: number, m: ToWorker): void => {
    if (m.t === 'limits') setImmediate(() => links[i]!.answered(m.answers))
  }
  const primary = new NodeLimits(holds, tell, (i) => pids[i])
  const workers = pids.map((_, i) => {
    // Every batch at the end of its turn (no record span), so a turn's delay is the only timing these tests know.
    const link = new PrimaryLimitsLink((b) => (setImmediate(() => primary.onBatch(i, b)), true), new Metrics(), 0)
    links.push(link)
    const lines = new LineCounters()
    const guards = new CallGuards({ spend: new MemorySpendCounter(() => 'UTC') })
    const cluster = new ClusterLimits(link, lines, guards)
    const controller = new PolicyController({ config: { current: snapshot }, metrics: new Metrics(), lines, guards, cluster })
    return new ClusterAdmission(controller, cluster, { current: snapshot })
  })
  return { workers, holds, primary, pids }
}

/** Event-loop turns enough for a batch to reach the primary and its answers to come back (each hop waits one turn). */
async function turns(): Promise<void> {
  for (let i = 0; i < 6; i++) await new Promise(setImmediate)
}

const request = (): AdmissionRequest => admission(invite(), '192.0.2.10', 5060, NOW)

/** Admits a call on worker `w` and takes its first target's line: the route holding it, or the refusal. */
async function call(w: { admit(r: AdmissionRequest): Decision | Promise<Decision> }): Promise<RouteDecision | string> {
  const d = await w.admit(request())
  if (d.kind !== 'route') return d.kind === 'reject' ? d.reason : d.kind
  if (await d.acquire(d.targets[0]!)) return d
  // Every target busy: the call ends, as the B2BUA ends it.
  d.release()
  return 'busy'
}

const base = (over: { gw?: Record<string, unknown>; mg?: Record<string, unknown>; acc?: Record<string, unknown> } = {}): FixtureInput => ({
  accounts: [account('acc', over.acc ?? {})],
  mappingGateways: [mappingGateway('mg', { authMode: 'ip', ips: ['192.0.2.10'], accountId: 'acc', ...over.mg })],
  routingGateways: [routingGateway('rg', { prefixes: ['49'], ...over.gw })],
})

describe('limits counted by the primary for every worker', () => {
  it('gives a routing gateway with line limit 5 exactly 5 of 12 attempts made at once over four workers', async () => {
    const { workers, holds } = node(base({ gw: { lineLimit: 5 } }))
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => call(workers[i % 4]!)))
    const held = results.filter((r): r is RouteDecision => typeof r !== 'string')
    expect(held).toHaveLength(5)
    expect(results.filter((r) => r === 'busy')).toHaveLength(7)
    expect(holds.total('{ss}:c:r:rg')).toBe(5)
    // Every line given back frees the count, whatever worker held it.
    for (const r of held) r.release()
    await turns()
    expect(holds.total('{ss}:c:r:rg')).toBe(0)
    expect(holds.total('{ss}:c:m:mg')).toBe(0)
  })

  it('refuses over the mapping gateway\'s line limit and the account\'s concurrent calls with their own reasons', async () => {
    const mg = node(base({ mg: { lineLimit: 3 } }))
    const a = await Promise.all(Array.from({ length: 8 }, (_, i) => call(mg.workers[i % 4]!)))
    expect(a.filter((r) => typeof r !== 'string')).toHaveLength(3)
    expect(a.filter((r) => r === 'CallLimitExceeded')).toHaveLength(5)
    const acc = node(base({ acc: { maxConcurrentCalls: 2 } }))
    const b = await Promise.all(Array.from({ length: 8 }, (_, i) => call(acc.workers[i % 4]!)))
    expect(b.filter((r) => typeof r !== 'string')).toHaveLength(2)
    expect(b.filter((r) => r === 'AccountConcurrentCallsExceeded')).toHaveLength(6)
  })

  it('paces calls per second over every worker on one bucket: its burst passes, the rest wait for tokens', async () => {
    let now = NOW
    const { workers } = node(base({ mg: { cpsLimit: 4, cpsBurst: 4 } }), 4, () => now)
    const first = await Promise.all(Array.from({ length: 12 }, (_, i) => call(workers[i % 4]!)))
    expect(first.filter((r) => typeof r !== 'string')).toHaveLength(4)
    expect(first.filter((r) => r === 'CpsLimitExceeded')).toHaveLength(8)
    now += 500 // two tokens back at 4 per second
    const later = await Promise.all(Array.from({ length: 4 }, (_, i) => call(workers[i]!)))
    expect(later.filter((r) => typeof r !== 'string')).toHaveLength(2)
  })

  it('counts a group\'s limit net of another mapping gateway\'s unused reserved lines', async () => {
    const { workers } = node({
      accounts: [account('acc')],
      mappingGateways: [mappingGateway('mg', { authMode: 'ip', ips: ['192.0.2.10'], accountId: 'acc' }), mappingGateway('other', { authMode: 'ip', ips: ['192.0.2.11'], accountId: 'acc' })],
      routingGateways: [routingGateway('rg', { prefixes: ['49'], groupId: 'grp' })],
      gatewayGroups: [gatewayGroup('grp', { lineLimit: 5, reservedLines: [{ mappingGatewayId: 'other', lines: 2 }] })],
    })
    const r = await Promise.all(Array.from({ length: 8 }, (_, i) => call(workers[i % 4]!)))
    expect(r.filter((x) => typeof x !== 'string')).toHaveLength(3)
  })

  it('counts the lines of calls no limit applies to without waiting for the primary, so a limit set later sees them', async () => {
    const { workers, holds } = node(base())
    const d = workers[0]!.admit(request())
    // Decided in the same turn: nothing could refuse it.
    expect(d).not.toBeInstanceOf(Promise)
    const route = d as RouteDecision
    expect(route.acquire(route.targets[0]!)).toBe(true)
    // Given back in the same turn it was counted: the primary reads the count before the give-back.
    const brief = workers[1]!.admit(request()) as RouteDecision
    brief.release()
    await turns()
    expect(holds.total('{ss}:c:r:rg')).toBe(1)
    expect(holds.total('{ss}:c:m:mg')).toBe(1)
    route.release()
    await turns()
    expect([...holds.holds()]).toEqual([])
  })

  it('frees every line of a worker that died at once, and a restarted worker in its slot starts with none', async () => {
    const { workers, holds, primary, pids } = node(base({ gw: { lineLimit: 4 } }))
    const onOne = await Promise.all([call(workers[1]!), call(workers[1]!), call(workers[1]!)])
    expect(onOne.every((r) => typeof r !== 'string')).toBe(true)
    expect(await call(workers[2]!)).not.toBe('busy')
    expect(await call(workers[3]!)).toBe('busy')
    expect(holds.holdsOf(101)).toBe(6) // 3 calls x (ingress + attempt)
    primary.onExit(101)
    pids[1] = 201
    expect(holds.holdsOf(101)).toBe(0)
    expect(holds.total('{ss}:c:r:rg')).toBe(1)
    const after = await Promise.all([call(workers[3]!), call(workers[0]!), call(workers[1]!), call(workers[2]!)])
    expect(after.filter((r) => typeof r !== 'string')).toHaveLength(3)
    // A give-back of the dead process's hold changes nothing now.
    for (const r of onOne) (r as RouteDecision).release()
    await turns()
    expect(holds.total('{ss}:c:r:rg')).toBe(4)
  })
})
