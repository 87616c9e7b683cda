// `npm run bench -- calls`: the core's highest zero-failure calls per second (IP and digest) beside Kamailio's on the same SIPp ramp in the same run, with the ratios, CPU per call and memory.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { CUSTOMER_ACCOUNT, vendorGateway } from '../core/e2e/test-support/call-fixtures.js'
import type { AccountSeed, MappingGatewaySeed, RateSeed, TestConfig } from '../core/e2e/test-support/config-seed.js'
import { runRamp, type RampResult, type RampStep } from '../core/e2e/test-support/cps-ramp.js'
import { freeTcpPort, freeUdpPort, repoRoot, startCore } from '../core/e2e/test-support/harness.js'
import { kamailioBinary, startKamailio } from '../core/e2e/test-support/kamailio.js'
import { startRedis } from '../core/shared-state/test-support/redis-server.js'

/** Who is measured and how the customer authenticates. */
export type CallsNode = 'core' | 'kamailio'
export type CallsAuth = 'ip' | 'digest'

/**
 * How calls are routed: `priority` is the demo routing (one unrated customer, one vendor for every number); `money`
 * rates the customer and routes by least cost, margin guard and quality demotion over three priced vendors, with an
 * ingress dial plan to E.164, an egress tech prefix in national format and P-Asserted-Identity.
 */
export type CallsRouting = 'priority' | 'money'

/** One node's ramp, or why it did not run. */
export interface CallsRun {
  node: CallsNode
  auth: CallsAuth
  transport: 'udp' | 'tcp'
  routing: CallsRouting
  /** What else sets this run apart (an environment variable of the core). */
  label?: string
  result: RampResult | null
  skipped?: string
}

/** Ramp settings read from the command line (`--rates 500,1000 --step-seconds 10 --workers 2 --no-kamailio`). */
export interface CallsOptions {
  rates: number[]
  stepSec: number
  /** CORE_WORKERS for the core (default `auto`: one per CPU, as Kamailio runs several children). */
  workers?: number
  kamailio: boolean
  auths: CallsAuth[]
}

/** The digest user of the customer gateway in `demoConfig('digest', ...)`. */
export const USER = { username: 'bench', password: 'bench-password' }

/** The reference ramp: 500 calls/s steps up to 8,000, 10 s each. */
export const DEFAULT_RATES = [500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000, 5500, 6000, 6500, 7000, 7500, 8000]

/** Reads `--rates`, `--step-seconds`, `--workers`, `--auth ip,digest` and `--no-kamailio` from argv. */
export function callsOptions(argv: readonly string[]): CallsOptions {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name)
    return i === -1 ? undefined : argv[i + 1]
  }
  const rates = value('--rates')?.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0)
  const workers = value('--workers')
  return {
    rates: rates !== undefined && rates.length > 0 ? rates : DEFAULT_RATES,
    stepSec: Number(value('--step-seconds') ?? 10),
    ...(workers === undefined ? {} : { workers: Number(workers) }),
    kamailio: !argv.includes('--no-kamailio'),
    auths: (value('--auth')?.split(',') ?? ['ip', 'digest']).filter((a): a is CallsAuth => a === 'ip' || a === 'digest'),
  }
}

function customerGateway(auth: CallsAuth): MappingGatewaySeed {
  return auth === 'ip'
    ? { id: 'mgw_demo', name: 'demo-ingress', accountId: CUSTOMER_ACCOUNT.id, authMode: 'ip', ips: ['127.0.0.1'] }
    : { id: 'mgw_demo', name: 'demo-ingress', accountId: CUSTOMER_ACCOUNT.id, authMode: 'password', username: USER.username, password: USER.password }
}

/** The demo routing of `npm start`: one postpaid account, the customer by IP or by password, one vendor for every number. */
export function demoConfig(auth: CallsAuth, vendorPort: number, transport: 'udp' | 'tcp'): TestConfig {
  return {
    accounts: [CUSTOMER_ACCOUNT],
    mappingGateways: [customerGateway(auth)],
    routingGateways: [vendorGateway('rgw_demo', vendorPort, { transport })],
  }
}

/** The number the customer dials under `money` routing: national, so the dial plan makes it E.164 (4930123456). */
const MONEY_CALLEE = '030123456'

/**
 * Routing by money and quality: the customer pays 0.05/min for 49; three vendors on the same SIPp port cost 0.01, 0.02
 * and 0.08 (the last above the customer: skipped by the margin guard); the cheapest gets every call.
 */
function moneyConfig(auth: CallsAuth, vendorPort: number, transport: 'udp' | 'tcp'): TestConfig {
  const vendor = (id: string, price: number): { account: AccountSeed; rate: RateSeed } => ({
    account: { id: `acc_${id}`, name: id, type: 'prepaid', balance: 1_000_000, rateTableId: `rt_${id}` },
    rate: { id: `rate_${id}`, rateTableId: `rt_${id}`, prefix: '49', pricePerMinute: price },
  })
  const vendors = [vendor('cheap', 0.01), vendor('mid', 0.02), vendor('dear', 0.08)]
  return {
    params: { SS_GATEWAY_FEE_RATE_ROUTE_SORT_CONFIG: true, SS_GATEWAY_ASR_ROUTE_SORT_CONFIG: 'demote' },
    rateTables: [{ id: 'rt_customer', name: 'customer' }, ...vendors.map((v) => ({ id: v.account.rateTableId!, name: v.account.name }))],
    rates: [{ id: 'rate_customer', rateTableId: 'rt_customer', prefix: '49', pricePerMinute: 0.05 }, ...vendors.map((v) => v.rate)],
    accounts: [{ ...CUSTOMER_ACCOUNT, rateTableId: 'rt_customer' }, ...vendors.map((v) => v.account)],
    mappingGateways: [{ ...customerGateway(auth), calleeRules: [{ op: 'toE164', countryCode: '49' }] }],
    routingGateways: vendors.map((v) => vendorGateway(`rgw_${v.account.name}`, vendorPort, {
      transport, prefixes: ['49'], clearingAccountId: v.account.id,
      calleeRules: [{ op: 'toNational', countryCode: '49' }, { op: 'addPrefix', prefix: '1234#' }],
      callerId: { presentation: 'pass', privacy: 'pass', assertedIdentity: true },
    })),
  }
}

/** The core as production runs it (built, no tsx), with the demo routing (or routing by money), NODE_ENV=production and the documented reload period; one ramp. */
export async function rampCore(
  auth: CallsAuth, o: CallsOptions, transport: 'udp' | 'tcp' = 'udp', routing: CallsRouting = 'priority', extra: { coreEnv?: Record<string, string>; label?: string; nodeArgs?: readonly string[] } = {},
): Promise<CallsRun> {
  const vendorPort = transport === 'udp' ? await freeUdpPort() : await freeTcpPort()
  const core = await startCore(
    { LOG_LEVEL: 'warn', CONFIG_RELOAD_MS: '1000', NODE_ENV: 'production', CORE_WORKERS: o.workers === undefined ? 'auto' : String(o.workers), ...extra.coreEnv },
    { built: true, config: routing === 'money' ? moneyConfig(auth, vendorPort, transport) : demoConfig(auth, vendorPort, transport), ...(extra.nodeArgs === undefined ? {} : { nodeArgs: extra.nodeArgs }) },
  )
  try {
    process.stderr.write(`# core ${auth} ${transport} ${routing} routing${extra.label === undefined ? '' : `, ${extra.label}`} (pid ${core.child.pid})\n`)
    const result = await runRamp({
      target: core.target, vendorPort, rates: o.rates, stepSec: o.stepSec, transport, watchPid: core.child.pid!,
      ...(routing === 'money' ? { number: MONEY_CALLEE } : {}),
      ...(auth === 'digest' ? { auth: USER } : {}),
    })
    return { node: 'core', auth, transport, routing, ...(extra.label === undefined ? {} : { label: extra.label }), result }
  } finally {
    await core.stop()
  }
}

/** Labels of the node runs of `npm run bench -- nodes` (and of the whole bench). */
export const NODES_LABELS = { one: 'one node, REDIS_URL', two: 'two nodes, one Redis' } as const

/**
 * `count` core nodes (one process each, CORE_WORKERS=1) with REDIS_URL on one database and one Redis, the demo
 * routing (every admission and attempt takes its limits in Redis), SIPp driving each node at an equal share of the
 * rate; one ramp over all of them (CPU and memory summed).
 */
export async function rampNodes(o: CallsOptions, count: number, redisUrl: string): Promise<CallsRun> {
  const vendorPort = await freeUdpPort()
  const env = (i: number): Record<string, string> => ({
    LOG_LEVEL: 'warn', CONFIG_RELOAD_MS: '1000', NODE_ENV: 'production', CORE_WORKERS: '1', REDIS_URL: redisUrl, NODE_ID: `bench-${i}`,
  })
  const label = count === 1 ? NODES_LABELS.one : count === 2 ? NODES_LABELS.two : `${count} nodes, one Redis`
  const cores: Awaited<ReturnType<typeof startCore>>[] = []
  try {
    cores.push(await startCore(env(0), { built: true, config: demoConfig('ip', vendorPort, 'udp') }))
    for (let i = 1; i < count; i++) cores.push(await startCore(env(i), { built: true, databaseUrl: cores[0]!.databaseUrl }))
    process.stderr.write(`# core ip udp, ${label} (pids ${cores.map((c) => c.child.pid).join(', ')})\n`)
    const result = await runRamp({
      target: cores.map((c) => c.target), vendorPort, rates: o.rates, stepSec: o.stepSec, watchPid: cores.map((c) => c.child.pid!),
    })
    return { node: 'core', auth: 'ip', transport: 'udp', routing: 'priority', label, result }
  } finally {
    for (const c of cores.reverse()) await c.stop()
  }
}

/** `npm run bench -- nodes`: one node with REDIS_URL, then two nodes behind the same Redis, on the same ramp. */
export async function benchNodes(argv: readonly string[]): Promise<CallsRun[]> {
  const o = callsOptions(argv)
  const redis = await startRedis()
  try {
    return [await rampNodes(o, 1, redis.url), await rampNodes(o, 2, redis.url)]
  } finally {
    await redis.stop()
  }
}

/** Kamailio 4 children, 2 GiB shared memory, the reference configuration; one ramp. */
export async function rampKamailio(auth: CallsAuth, o: CallsOptions): Promise<CallsRun> {
  if (kamailioBinary() === null) return { node: 'kamailio', auth, transport: 'udp', routing: 'priority', result: null, skipped: 'kamailio is not installed' }
  const vendorPort = await freeUdpPort()
  const k = await startKamailio({ vendorPort, ...(auth === 'digest' ? { digest: USER } : {}) })
  try {
    process.stderr.write(`# kamailio ${auth} (pid ${k.pid})\n`)
    const result = await runRamp({
      target: k.target, vendorPort, rates: o.rates, stepSec: o.stepSec, watchPid: k.pid, ...(auth === 'digest' ? { auth: USER } : {}),
    })
    return { node: 'kamailio', auth, transport: 'udp', routing: 'priority', result }
  } finally {
    await k.stop()
  }
}

/** Installs Kamailio from Debian when it is missing (its service kept from starting), like the test dependencies. */
export function ensureKamailio(): void {
  if (kamailioBinary() !== null) return
  const r = spawnSync('bash', [join(repoRoot, 'scripts/install-bench-deps.sh')], { stdio: 'inherit' })
  if (r.status !== 0) process.stderr.write('# kamailio could not be installed; the comparison is skipped\n')
}

function ratio(a: RampStep | null | undefined, b: RampStep | null | undefined): string {
  if (a == null || b == null || b.rate === 0) return '-'
  return (a.rate / b.rate).toFixed(2) + 'x'
}

/** The comparison table: highest passing rate per node and auth, the ratios, CPU per call and memory at each maximum. */
export function callsTable(runs: readonly CallsRun[]): string {
  const find = (node: CallsNode, auth: CallsAuth): CallsRun | undefined => runs.find((r) => r.node === node && r.auth === auth && r.transport === 'udp' && r.routing === 'priority' && r.label === undefined)
  const lines = [
    '| node | auth | max calls/s (zero failed) | CPU µs/call at max | CPU (cores) at max | memory at max (PSS MiB) | set-up ms p50/p99 at max | first failing step |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ]
  for (const r of runs) {
    if (r.result === null) {
      lines.push(`| ${r.node} | ${r.auth} ${r.transport}${r.routing === 'money' ? ', money routing' : ''}${r.label === undefined ? '' : `, ${r.label}`} | skipped: ${r.skipped ?? ''} | | | | | |`)
      continue
    }
    const m = r.result.max
    const failing = r.result.steps.find((s) => s.failures.length > 0)
    lines.push(`| ${r.node} | ${r.auth}${r.transport === 'udp' ? '' : ' ' + r.transport}${r.routing === 'money' ? ', money routing' : ''}${r.label === undefined ? '' : `, ${r.label}`} | ${m?.rate ?? 'none'} | ${m?.cpuUsPerCall ?? '-'} | ${m?.nodeCores ?? '-'} | ${m?.pssMiB ?? '-'} | ${m?.setupMs === null || m === null ? '-' : `${m.setupMs.p50}/${m.setupMs.p99}`} | ${failing === undefined ? 'none (top of the ramp)' : `${failing.rate}: ${failing.failures.join(', ')}`} |`)
  }
  const rows: string[] = []
  for (const auth of ['ip', 'digest'] as const) {
    const ours = find('core', auth)?.result?.max
    const theirs = find('kamailio', auth)?.result?.max
    if (find('kamailio', auth)?.result == null || find('core', auth)?.result == null) continue
    const cpu = ours?.cpuUsPerCall != null && theirs?.cpuUsPerCall != null ? (ours.cpuUsPerCall / theirs.cpuUsPerCall).toFixed(2) + 'x' : '-'
    rows.push(`| ${auth} | ${ours?.rate ?? 0} / ${theirs?.rate ?? 0} | ${ratio(ours, theirs)} | ${cpu} |`)
  }
  if (rows.length > 0) lines.push('', '| auth | core / Kamailio calls/s | ratio | CPU per call core / Kamailio (each at its max) |', '| --- | --- | --- | --- |', ...rows)
  return lines.join('\n')
}

/**
 * Runs the comparison: for each auth the core's ramp, then Kamailio's (installed on demand) right after it, so the
 * two ramps of a ratio are minutes apart, not a whole run: the host's speed drifts by 10-15% over ten minutes.
 */
export async function benchCalls(argv: readonly string[]): Promise<CallsRun[]> {
  const o = callsOptions(argv)
  const runs: CallsRun[] = []
  if (o.kamailio) ensureKamailio()
  for (const auth of o.auths) {
    runs.push(await rampCore(auth, o))
    if (o.kamailio) runs.push(await rampKamailio(auth, o))
  }
  return runs
}
