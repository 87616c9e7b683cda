// Benchmark data for routing: 10,000 gateways with 50,000 prefixes, 500 vendors whose rate tables hold 500,000 rates (with superseded and future versions), and a quality window over 20,000 gateway/prefix keys; seeded, so every run routes the same calls.
import { RateBook } from '../../billing/rate-book.js'
import type { RatingRate } from '../../billing/rating.js'
import { GatewayIndexed } from '../gateway-index.js'
import { RollingQuality } from '../quality.js'
import type { RoutingLive } from '../route.js'
import type { ClearingAccountConfig, RoutingGatewayConfig, RoutingParams, RoutingSnapshot } from '../routing-table.js'
import { gatewayGroupFixture, routingGatewayFixture, routingParams } from './routing-cases.js'

/** A rate row as the rate book takes it. */
export type BenchRate = RatingRate & { readonly rateTableId: string }

/** Sizes of the generated configuration. */
export const BENCH_SIZES = { gateways: 10_000, prefixesPerGateway: 5, vendors: 500, ratesPerVendor: 1000, qualityKeys: 20_000 } as const

/** When every benchmark call happens (a Wednesday noon). */
export const BENCH_NOW = Date.UTC(2024, 0, 3, 12)

/** A seeded generator (mulberry32: an LCG's low digits repeat, which made 50,000 prefixes only ~2,000 distinct ones). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** How many gateways one number matches: `typical` (region prefixes, ~14 vendors per number) or `dense` (~56: a quarter of the prefixes are bare country codes). */
export type BenchShape = 'typical' | 'dense'

/** The generated world. */
export function routingBenchData(opts: { shape: BenchShape; params?: Partial<RoutingParams>; seed?: number }) {
  const random = seededRandom(opts.seed ?? 12345)
  const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(random() * 10)).join('')
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  // 200 prefix-free country codes (as E.164's are); a prefix is 00 + code + 1..2 region digits (typical) or 0..4 (dense).
  const countries: string[] = []
  while (countries.length < 200) {
    const code = digits(random() < 0.1 ? 2 : 3)
    if (!countries.some((c) => c.startsWith(code) || code.startsWith(c))) countries.push(code)
  }
  const extra = (): number => (opts.shape === 'typical' ? 1 + Math.floor(random() * 2) : Math.floor(random() * 5))
  const prefixFor = (): string => `00${pick(countries)}${digits(extra())}`

  const gateways: RoutingGatewayConfig[] = Array.from({ length: BENCH_SIZES.gateways }, (_, i) => routingGatewayFixture(`gw${i}`, {
    prefixes: [...new Set(Array.from({ length: BENCH_SIZES.prefixesPerGateway }, prefixFor))],
    priority: Math.floor(random() * 4),
    prefixMode: random() < 0.2 ? 'expiration' : 'extension',
    lineLimit: 100,
    groupId: random() < 0.3 ? `grp${i % 100}` : null,
    protectRoute: random() < 0.05,
    clearingAccountId: `acc_v${i % BENCH_SIZES.vendors}`,
    allowLossRoutes: random() < 0.05,
  }))
  const groups = Array.from({ length: 100 }, (_, i) => gatewayGroupFixture(`grp${i}`, {
    lineLimit: 500, reservedLines: [{ mappingGatewayId: 'M2', lines: 20 }],
    calendar: i % 2 === 0 ? [] : [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '20:00' }],
  }))
  const clearingAccounts: ClearingAccountConfig[] = Array.from({ length: BENCH_SIZES.vendors }, (_, v) =>
    ({ id: `acc_v${v}`, status: 'normal', balance: 1000, rateTableId: `rt_v${v}` }))

  // Per vendor 1,000 rows: 890 prefixes in effect, 100 of them also with a superseded older price, 10 future prices.
  const rates: BenchRate[] = []
  const rate = (rateTableId: string, prefix: string, effectiveFromMs: number): BenchRate =>
    ({ rateTableId, prefix, pricePerMinute: Math.round((0.001 + random() * 0.08) * 10_000) / 10_000, firstIncrementSec: 60, nextIncrementSec: 60, effectiveFromMs })
  for (let v = 0; v < BENCH_SIZES.vendors; v++) {
    const table = `rt_v${v}`
    const prefixes = new Set<string>([''])
    while (prefixes.size < 890) prefixes.add(`00${pick(countries)}${digits(Math.floor(random() * 4))}`)
    const list = [...prefixes]
    for (const p of list) rates.push(rate(table, p, Date.UTC(2023, 5, 1)))
    for (let k = 0; k < 100; k++) rates.push(rate(table, list[k]!, Date.UTC(2022, 0, 1)))
    for (let k = 0; k < 10; k++) rates.push(rate(table, list[100 + k]!, Date.UTC(2025, 0, 1)))
  }

  const params = routingParams({
    SS_GATEWAY_FEE_RATE_ROUTE_SORT_CONFIG: true, SS_GATEWAY_ASR_ROUTE_SORT_CONFIG: 'demote', SS_ROUTE_MARGIN_GUARD: true, ...opts.params,
  })
  const quality = new RollingQuality(() => params)
  // 20,000 gateway/prefix keys with 30 attempts each in the window, ASR between 0 and 100%.
  for (let k = 0; k < BENCH_SIZES.qualityKeys; k++) {
    const g = gateways[k % gateways.length]!
    const prefix = g.prefixes[Math.floor(k / gateways.length) % g.prefixes.length]!
    const asr = random()
    for (let n = 0; n < 30; n++) {
      const answered = random() < asr
      quality.record({
        endedAtMs: BENCH_NOW - 600_000 + n, answeredAtMs: answered ? BENCH_NOW - 700_000 : null, durationSec: answered ? 60 : 0,
        attempts: [{ routingGatewayId: g.id, matchedPrefix: prefix, sipCode: answered ? 200 : 503, pddMs: 1000 + Math.floor(random() * 8000) }],
      })
    }
  }
  // Gateway calls as the core keeps them: by id, mirrored by the routing table's gateway index.
  const gatewayCalls = new GatewayIndexed<number>()
  gateways.forEach((g, i) => gatewayCalls.set(g.id, i % 120))
  const live: RoutingLive = {
    gatewayCalls: gatewayCalls.map,
    gatewayCallsAt: (table) => gatewayCalls.at(table),
    groupCalls: new Map(groups.map((g, i) => [g.id, i * 5])),
    groupMappingCalls: new Map(groups.map((g) => [g.id, new Map([['M1', 3], ['M2', 4]])])),
    quality,
  }
  const snapshot: Omit<RoutingSnapshot, 'prices'> = { routingGateways: gateways, gatewayGroups: groups, clearingAccounts, params, timeZone: 'Europe/Berlin' }
  // Numbers people call: each starts with some gateway's prefix (a number no gateway serves is refused in a trie walk).
  const callees = Array.from({ length: 1024 }, () => {
    const prefix = pick(pick(gateways).prefixes)
    return prefix + digits(Math.max(4, 14 - prefix.length))
  })
  return { snapshot, rates, live, callees, buildPrices: () => new RateBook(rates, BENCH_NOW) }
}

/** What the customer pays in the benchmark (so the margin guard skips vendors above 0.05/min). */
export const BENCH_CUSTOMER_RATE: RatingRate = { prefix: '00', pricePerMinute: 0.05, firstIncrementSec: 60, nextIncrementSec: 60, effectiveFromMs: 0 }
