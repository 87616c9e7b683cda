// Shared-limit admission benchmark (run by `npm run bench`): a call's admission plus its first attempt's line, on this node alone and across nodes in a real redis-server (Lua round trips included), one at a time (latency) and 64 in flight (throughput); JSON lines { name, opsPerSec, nsPerOp }.
import type { AdmissionRequest, Decision, RouteDecision } from '../call/ports.js'
import { SystemClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { SharedState } from '../shared-state/shared-state.js'
import { startRedis } from '../shared-state/test-support/redis-server.js'
import { CallGuards, MemorySpendCounter } from './call-guards.js'
import { ClusterAdmission } from './cluster-admission.js'
import { ClusterLimits } from './cluster-limits.js'
import { PolicyController } from './controller.js'
import { LineCounters } from './limits.js'
import { account, admission, invite, mappingGateway, policySnapshot, routingGateway } from './test-support/policy-inputs.js'

const URI = 'sip:4930123@203.0.113.1'
const NOW = Date.UTC(2024, 0, 3, 12)
const COUNT = 4_000

// Every limit a call can meet: the mapping gateway's and account's lines and calls per second, the vendor's lines and rate.
const snapshot = policySnapshot({
  accounts: [account('acc', { maxConcurrentCalls: 100_000, cpsLimit: 100_000 })],
  mappingGateways: [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'], accountId: 'acc', lineLimit: 100_000, cpsLimit: 100_000 })],
  routingGateways: [routingGateway('rg', { prefixes: ['49'], lineLimit: 100_000, cpsLimit: 100_000 })],
})
const requests: AdmissionRequest[] = Array.from({ length: COUNT }, () => admission(invite(URI), '192.0.2.10', 5060, NOW))

/** One call's limits: admission, the first target's line, both given back. */
async function oneCall(admit: (r: AdmissionRequest) => Decision | Promise<Decision>, r: AdmissionRequest): Promise<void> {
  const d = await admit(r)
  if (d.kind !== 'route') throw new Error(`expected a route, got ${JSON.stringify(d)}`)
  const route = d as RouteDecision
  if (!(await route.acquire(route.targets[0]!))) throw new Error('the target line was refused')
  route.release()
}

async function bench(name: string, admit: (r: AdmissionRequest) => Decision | Promise<Decision>, inFlight: number): Promise<void> {
  const run = async (count: number): Promise<number> => {
    const start = process.hrtime.bigint()
    let next = 0
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < count) await oneCall(admit, requests[next++ % requests.length]!)
    }))
    return Number(process.hrtime.bigint() - start)
  }
  await run(Math.min(1_000, COUNT))
  const ns = await run(COUNT)
  const nsPerOp = ns / COUNT
  console.log(JSON.stringify({ name, opsPerSec: Math.round(1e9 / nsPerOp), nsPerOp: Math.round(nsPerOp), inFlight }))
}

function controllerWith(cluster: (lines: LineCounters, guards: CallGuards) => ClusterLimits | null): { admit: (r: AdmissionRequest) => Decision | Promise<Decision> } {
  const lines = new LineCounters()
  const guards = new CallGuards({ spend: new MemorySpendCounter(() => 'UTC') })
  const c = cluster(lines, guards)
  const controller = new PolicyController({ config: { current: snapshot }, metrics: new Metrics(), lines, guards, ...(c === null ? {} : { cluster: c }) })
  return c === null ? controller : new ClusterAdmission(controller, c, { current: snapshot })
}

const local = controllerWith(() => null)
await bench('cluster.call limits, this node alone (no REDIS_URL)', (r) => local.admit(r), 1)

const redis = await startRedis()
const clock = new SystemClock()
const shared = new SharedState({ url: redis.url, nodeId: 'bench', ttlMs: 5_000, clock, log: silentLogger, metrics: new Metrics() })
try {
  shared.start()
  for (const deadline = Date.now() + 5_000; !shared.up; await new Promise((r) => setTimeout(r, 10))) if (Date.now() > deadline) throw new Error('Redis did not come up')
  const across = controllerWith((lines, guards) => new ClusterLimits(shared, lines, guards))
  await bench('cluster.call limits across nodes (Redis, 2 round trips), one at a time', (r) => across.admit(r), 1)
  await bench('cluster.call limits across nodes (Redis, 2 round trips), 64 in flight', (r) => across.admit(r), 64)
} finally {
  await shared.stop()
  clock.stop()
  await redis.stop()
}
