// Cost of counting a call's limits in the node's primary (run by `npm run bench`): a call's admission plus its first attempt's line through a real IPC channel to a forked primary, against the same limits counted in process; wall time and CPU time per call of the worker and of the primary, one at a time and 64 in flight, and a call no limit applies to. JSON lines { name, opsPerSec, nsPerOp, workerCpuUsPerCall, primaryCpuUsPerCall }.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Metrics } from '../lib/metrics.js'
import { ClusterLimits } from '../policy/cluster-limits.js'
import { benchRequests, benchSnapshot, controllerWith, oneCall, type Admit } from '../policy/test-support/limits-bench.js'
import type { ToWorker } from './ipc.js'
import { PrimaryLimitsLink } from './limits-link.js'

const COUNT = 6_000
const snapshot = benchSnapshot()
// The same call where no limit applies: the primary counts its lines, nobody waits for it.
const unlimited = benchSnapshot(false)
const requests = benchRequests(COUNT)

/** CPU microseconds the primary used so far. */
function primaryCpu(child: ChildProcess | null): Promise<number> {
  if (child === null) return Promise.resolve(0)
  return new Promise((ok) => {
    const on = (m: { t: string; usage?: NodeJS.CpuUsage }): void => {
      if (m.t !== 'cpu') return
      child.off('message', on)
      ok(m.usage!.user + m.usage!.system)
    }
    child.on('message', on)
    child.send({ t: 'cpu' })
  })
}

async function bench(name: string, admit: Admit, inFlight: number, child: ChildProcess | null): Promise<void> {
  const run = async (count: number): Promise<{ ns: number; workerUs: number; primaryUs: number }> => {
    const p0 = await primaryCpu(child)
    const c0 = process.cpuUsage()
    const start = process.hrtime.bigint()
    let next = 0
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < count) {
        await oneCall(admit, requests[next++ % requests.length]!)
        // A worker admits each call in its own event-loop turn (its INVITE's datagram).
        await new Promise(setImmediate)
      }
    }))
    const ns = Number(process.hrtime.bigint() - start)
    const c = process.cpuUsage(c0)
    // The last batch reaches the primary before the question for its CPU time.
    await new Promise((ok) => setTimeout(ok, 20))
    return { ns, workerUs: c.user + c.system, primaryUs: (await primaryCpu(child)) - p0 }
  }
  await run(Math.min(1_000, COUNT))
  const r = await run(COUNT)
  const nsPerOp = r.ns / COUNT
  console.log(JSON.stringify({
    name, opsPerSec: Math.round(1e9 / nsPerOp), nsPerOp: Math.round(nsPerOp), inFlight,
    workerCpuUsPerCall: Math.round((r.workerUs / COUNT) * 10) / 10, primaryCpuUsPerCall: Math.round((r.primaryUs / COUNT) * 10) / 10,
  }))
}

await bench('limits.call in one process (no workers)', controllerWith(snapshot, () => null), 1, null)

const child = fork(fileURLToPath(new URL('./test-support/limits-primary.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], serialization: 'advanced' })
try {
  await new Promise<void>((ok, fail) => {
    child.once('message', () => ok())
    child.once('exit', (code) => fail(new Error(`the primary exited (${code})`)))
  })
  const link = new PrimaryLimitsLink((b) => child.send({ t: 'limits', ...b }), new Metrics())
  child.on('message', (m: ToWorker) => {
    if (m.t === 'limits') link.answered(m.answers)
  })
  const through = controllerWith(snapshot, (lines, guards) => new ClusterLimits(link, lines, guards))
  await bench('limits.call through the primary (IPC, 2 round trips), one at a time', through, 1, child)
  await bench('limits.call through the primary (IPC, 2 round trips), 64 in flight', through, 64, child)
  const counted = controllerWith(unlimited, (lines, guards) => new ClusterLimits(link, lines, guards))
  await bench('limits.call with no limit set, counted by the primary without a round trip, one at a time', counted, 1, child)
} finally {
  child.disconnect()
  await new Promise((ok) => (child.exitCode === null ? child.once('exit', ok) : ok(null)))
}
