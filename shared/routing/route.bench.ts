// Routing micro-benchmark over 10,000 gateways, 50,000 prefixes and 500,000 rates: the decision's cost per call (CPU per call, wall p50/p99) with and without least-cost, margin and quality routing (run by `npm run bench` or `npx tsx shared/routing/route.bench.ts`); prints JSON lines.
import { decideRoute, type CallFacts, type RoutingLive } from './route.js'
import { buildRoutingTable, type RoutingTable } from './routing-table.js'
import { BENCH_CUSTOMER_RATE, BENCH_NOW, routingBenchData, seededRandom } from './test-support/routing-bench-data.js'
import { routingParams } from './test-support/routing-cases.js'

const random = seededRandom(777)
let sink = 0

function heapMiB(): number {
  globalThis.gc?.()
  return Math.round(process.memoryUsage().heapUsed / 1048576)
}

/**
 * CPU time per call, best of 5 runs (process CPU, so time the shared machine gives other processes does not count),
 * and wall-clock p50/p99/max over every call of a run, each call timed on its own: 5 runs, the run with the lowest p99
 * reported, with the median run's p99 beside it. A thread's CPU clock ticks too coarsely to time one call, so the wall
 * tail includes whatever preemption a loaded machine adds; best-of-5 keeps one unlucky run from deciding it, and
 * the CPU figure is the one load disturbs least.
 */
function bench(name: string, fn: (i: number) => void, iterations: number, extra: Record<string, unknown> = {}): number {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) fn(i) // warm-up
  let best = Infinity
  for (let round = 0; round < 5; round++) {
    const start = process.cpuUsage()
    for (let i = 0; i < iterations; i++) fn(i)
    const used = process.cpuUsage(start)
    best = Math.min(best, ((used.user + used.system) * 1000) / iterations)
  }
  const each = new Float64Array(iterations)
  const runs: { p50: number; p99: number; max: number }[] = []
  const q = (f: number) => each[Math.min(iterations - 1, Math.floor(f * iterations))]!
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < iterations; i++) {
      const t = performance.now()
      fn(i)
      each[i] = performance.now() - t
    }
    each.sort()
    runs.push({ p50: q(0.5), p99: q(0.99), max: q(1) })
  }
  runs.sort((a, b) => a.p99 - b.p99)
  const us = (ms: number) => Math.round(ms * 100_000) / 100
  const top = runs[0]!
  console.log(JSON.stringify({
    name, opsPerSec: Math.round(1e9 / best), nsPerOp: Math.round(best), p50Us: us(top.p50), p99Us: us(top.p99), maxUs: us(top.max),
    p99UsMedianRun: us(runs[2]!.p99), ...extra,
  }))
  return best
}

function routeBench(
  label: string, table: RoutingTable, callees: readonly string[], live: RoutingLive, rated: boolean, iterations: number, extra: Record<string, unknown> = {},
): number {
  const matches = callees.reduce((n, c) => n + table.trie.matches(c).reduce((k, m) => k + m.values.length, 0), 0) / callees.length
  return bench(label, (i) => {
    const facts: CallFacts = {
      callee: callees[i & 1023]!, caller: '4921198765', mappingGatewayId: 'M1', nowMs: BENCH_NOW + i, random,
      ...(rated ? { customerRate: BENCH_CUSTOMER_RATE } : {}),
    }
    const d = decideRoute(table, facts, live)
    sink += d.rejected.length + (d.kind === 'route' ? d.candidates.length : 0)
  }, iterations, { matchesPerCall: Math.round(matches * 10) / 10, ...extra })
}

for (const kind of ['typical', 'dense'] as const) {
  const shape = kind === 'typical' ? 'typical (region prefixes, ~14 gateways per number)' : 'dense (~56 gateways per number)'
  const heapBefore = heapMiB()
  const data = routingBenchData({ shape: kind })
  const t0 = process.hrtime.bigint()
  const prices = data.buildPrices()
  const tPrices = Number(process.hrtime.bigint() - t0) / 1e6
  const t1 = process.hrtime.bigint()
  const withMoney = buildRoutingTable({ ...data.snapshot, prices })
  const tTable = Number(process.hrtime.bigint() - t1) / 1e6
  console.error(`${shape}: ${data.rates.length} rates indexed in ${tPrices.toFixed(0)} ms, routing table built in ${tTable.toFixed(0)} ms, heap +${heapMiB() - heapBefore} MiB (rates, tables, quality)`)
  const plain = buildRoutingTable({ ...data.snapshot, params: routingParams() })
  const plainLive: RoutingLive = { ...data.live, quality: undefined }
  const n = kind === 'typical' ? 200_000 : 50_000
  const priorityNs = routeBench(`decideRoute ${shape}: priority only (before), live counters + load sharing`, plain, data.callees, plainLive, false, n)
  // The same run's ratio: decisions per second with money and quality over priority only (1 / the CPU ratio).
  const moneyNs = routeBench(`decideRoute ${shape}: least cost + margin guard + quality demotion, 500k rates`, withMoney, data.callees, data.live, true, n)
  console.log(JSON.stringify({ name: `decideRoute ${shape}: decisions/s with money and quality vs priority only (same run)`, ratio: Math.round((priorityNs / moneyNs) * 100) / 100 }))
  if (kind === 'typical') {
    bench('RateBook: 500,000 rates indexed (once per snapshot)', () => { sink += data.buildPrices().size }, 1)
    bench('buildRoutingTable with prices and dial plans (once per snapshot)', () => { sink += buildRoutingTable({ ...data.snapshot, prices }).trie.size }, 2)
  }
}
if (sink === 42) console.error('')
