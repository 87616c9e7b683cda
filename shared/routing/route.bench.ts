// Routing micro-benchmark over 10,000 gateways and 50,000 prefixes (run by `npm run bench` or `npx tsx shared/routing/route.bench.ts`); prints JSON lines.
import { decideRoute, type RoutingLive } from './route.js'
import { buildRoutingTable, type RoutingGatewayConfig } from './routing-table.js'
import { gatewayGroupFixture, routingGatewayFixture, routingParams } from './test-support/routing-cases.js'

let seed = 12345
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}
const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(random() * 10)).join('')

// 200 prefix-free country codes (as E.164's are); a prefix is 00 + code + 0..4 digits, so ~50 gateways share a bare code.
const COUNTRIES: string[] = []
while (COUNTRIES.length < 200) {
  const code = digits(random() < 0.1 ? 2 : 3)
  if (!COUNTRIES.some((c) => c.startsWith(code) || code.startsWith(c))) COUNTRIES.push(code)
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
let extraDigits = (): number => Math.floor(random() * 5)
const prefixFor = (): string => `00${pick(COUNTRIES)}${digits(extraDigits())}`

function makeGateways(): RoutingGatewayConfig[] {
  return Array.from({ length: 10_000 }, (_, i) => routingGatewayFixture(`gw${i}`, {
    prefixes: [...new Set(Array.from({ length: 5 }, prefixFor))],
    priority: Math.floor(random() * 4),
    prefixMode: random() < 0.2 ? 'expiration' : 'extension',
    lineLimit: 100,
    groupId: random() < 0.3 ? `grp${i % 100}` : null,
    protectRoute: random() < 0.05,
  }))
}
const gateways = makeGateways()
const groups = Array.from({ length: 100 }, (_, i) => gatewayGroupFixture(`grp${i}`, {
  lineLimit: 500, reservedLines: [{ mappingGatewayId: 'M2', lines: 20 }],
  calendar: i % 2 === 0 ? [] : [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '20:00' }],
}))
const snapshot = {
  routingGateways: gateways, gatewayGroups: groups, clearingAccounts: [],
  params: routingParams(), timeZone: 'Europe/Berlin',
}
const live: RoutingLive = {
  gatewayCalls: new Map(gateways.map((g, i) => [g.id, i % 120])),
  groupCalls: new Map(groups.map((g, i) => [g.id, i * 5])),
  groupMappingCalls: new Map(groups.map((g) => [g.id, new Map([['M1', 3], ['M2', 4]])])),
}

const t0 = process.hrtime.bigint()
const table = buildRoutingTable(snapshot)
console.error(`built ${gateways.length} gateways, ${table.trie.size} prefixes in ${Number(process.hrtime.bigint() - t0) / 1e6} ms`)

const callees = Array.from({ length: 1024 }, () => `${prefixFor()}${digits(8)}`)
const nowMs = Date.UTC(2024, 0, 3, 12)
let sink = 0
let matched = 0
for (const callee of callees) {
  const d = decideRoute(table, { callee, caller: '4921198765', mappingGatewayId: 'M1', nowMs }, live)
  matched += (d.kind === 'route' ? d.candidates.length : 0) + d.rejected.length
}
console.error(`average gateways matched per callee: ${(matched / callees.length).toFixed(1)}`)

function bench(name: string, fn: (i: number) => void, iterations: number): void {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) fn(i) // warm-up
  let best = Infinity
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) fn(i)
    const ns = Number(process.hrtime.bigint() - start) / iterations
    if (ns < best) best = ns
  }
  console.log(JSON.stringify({ name, opsPerSec: Math.round(1e9 / best), nsPerOp: Math.round(best) }))
}

// Sparse dial plan: area-code prefixes only (2..4 digits after the country code), so a number matches a few gateways.
extraDigits = () => 2 + Math.floor(random() * 3)
const sparseSnapshot = { ...snapshot, routingGateways: makeGateways() }
const sparse = buildRoutingTable(sparseSnapshot)
const sparseCallees = Array.from({ length: 1024 }, () => `${prefixFor()}${digits(8)}`)
const sparseMatched = sparseCallees.reduce((n, callee) => n + sparse.trie.matches(callee).reduce((k, m) => k + m.values.length, 0), 0)
console.error(`sparse: average gateways matched per callee: ${(sparseMatched / sparseCallees.length).toFixed(1)}`)

const facts = (i: number) => ({ callee: callees[i & 1023]!, caller: '4921198765', mappingGatewayId: 'M1', nowMs: nowMs + i, random })
bench('decideRoute, 10k gateways / 50k prefixes, dense (~59 matches), live counters + load sharing', (i) => {
  const d = decideRoute(table, facts(i), live)
  sink += d.rejected.length + (d.kind === 'route' ? d.candidates.length : 0)
}, 100_000)
bench('decideRoute, dense, no live state, no random', (i) => {
  const d = decideRoute(table, { callee: callees[i & 1023]!, caller: '1', mappingGatewayId: 'M1', nowMs })
  sink += d.rejected.length
}, 100_000)
bench('decideRoute, 10k gateways / 50k prefixes, sparse (few matches), live counters + load sharing', (i) => {
  const d = decideRoute(sparse, { ...facts(i), callee: sparseCallees[i & 1023]! }, live)
  sink += d.rejected.length + (d.kind === 'route' ? d.candidates.length : 0)
}, 200_000)
bench('trie walk only', (i) => { sink += table.trie.matches(callees[i & 1023]!).length }, 200_000)
bench('routing analysis (listUnmatched: 10k rejections)', (i) => {
  sink += decideRoute(table, facts(i), live, { listUnmatched: true }).rejected.length
}, 2_000)
bench('buildRoutingTable (once per snapshot)', () => { sink += buildRoutingTable(snapshot).trie.size }, 5)
if (sink === 42) console.error('')
