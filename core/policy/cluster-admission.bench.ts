// Shared-limit admission benchmark (run by `npm run bench`): a call's admission plus its first attempt's line, on this node alone and across nodes in a real redis-server (Lua round trips included), one at a time (latency) and 64 in flight (throughput); JSON lines { name, opsPerSec, nsPerOp }.
import { SystemClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { SharedState } from '../shared-state/shared-state.js'
import { startRedis } from '../shared-state/test-support/redis-server.js'
import { ClusterLimits } from './cluster-limits.js'
import { benchRequests, benchSnapshot, controllerWith as on, oneCall, type Admit } from './test-support/limits-bench.js'

const COUNT = 4_000
const snapshot = benchSnapshot()
const requests = benchRequests(COUNT)
const controllerWith = (cluster: Parameters<typeof on>[1]): { admit: Admit } => ({ admit: on(snapshot, cluster) })

async function bench(name: string, admit: Admit, inFlight: number): Promise<void> {
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
