// `tsx scripts/profile-routing.ts [typical|dense] [money|priority] [rounds]`: CPU and heap allocation per routing decision on the benchmark data, for before/after comparisons and `node --cpu-prof` (give node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 so a batch allocates without a scavenge).
import { decideRoute, type CallFacts, type RoutingLive } from '../shared/routing/route.js'
import { buildRoutingTable } from '../shared/routing/routing-table.js'
import { BENCH_CUSTOMER_RATE, BENCH_NOW, routingBenchData, seededRandom } from '../shared/routing/test-support/routing-bench-data.js'
import { routingParams } from '../shared/routing/test-support/routing-cases.js'

const shape = process.argv[2] === 'dense' ? 'dense' : 'typical'
const money = process.argv[3] !== 'priority'
const rounds = Number(process.argv[4] ?? 5)
const data = routingBenchData({ shape })
const table = money ? buildRoutingTable({ ...data.snapshot, prices: data.buildPrices() }) : buildRoutingTable({ ...data.snapshot, params: routingParams() })
const live: RoutingLive = money ? data.live : { ...data.live, quality: undefined }
const random = seededRandom(777)
let sink = 0

function decide(i: number): void {
  const facts: CallFacts = {
    callee: data.callees[i & 1023]!, caller: '4921198765', mappingGatewayId: 'M1', nowMs: BENCH_NOW + i, random,
    ...(money ? { customerRate: BENCH_CUSTOMER_RATE } : {}),
  }
  const d = decideRoute(table, facts, live)
  sink += d.rejected.length + (d.kind === 'route' ? d.candidates.length : 0)
}

const n = shape === 'typical' ? 200_000 : 50_000
for (let i = 0; i < 20_000; i++) decide(i)
let bestCpu = Infinity
for (let r = 0; r < rounds; r++) {
  const start = process.cpuUsage()
  for (let i = 0; i < n; i++) decide(i)
  const used = process.cpuUsage(start)
  bestCpu = Math.min(bestCpu, ((used.user + used.system) * 1000) / n)
}
// Bytes per decision: heap growth over a batch small enough to fit the young generation (median of batches).
const gc = (globalThis as { gc?: () => void }).gc
const bytes: number[] = []
if (gc !== undefined) {
  const batch = 2000
  for (let r = 0; r < 9; r++) {
    gc()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < batch; i++) decide(r * batch + i)
    bytes.push((process.memoryUsage().heapUsed - before) / batch)
  }
  bytes.sort((a, b) => a - b)
}
console.log(JSON.stringify({
  shape, money, cpuNsPerDecision: Math.round(bestCpu), bytesPerDecision: bytes.length === 0 ? null : Math.round(bytes[4]!), sink: sink > 0,
}))
