// Calls/s load driver for `npm run bench`: SIPp customer and SIPp vendor against one core with the demo routing (or routing by money and quality), stepping the rate up until a step has a failed call, with the core's CPU per call and RSS.
import { readFileSync } from 'node:fs'
import { CUSTOMER_ACCOUNT, settle, vendorGateway } from './call-fixtures.js'
import type { AccountSeed, MappingGatewaySeed, RateSeed, TestConfig } from './config-seed.js'
import { describeSipp, freeTcpPort, freeUdpPort, runSipp, startCore, startSippUas, type CoreProcess } from './harness.js'

/** How the customer authenticates. */
export type LoadAuth = 'ip' | 'digest'

/**
 * How calls are routed: `priority` is the demo routing (one unrated customer, one vendor for every number); `money`
 * rates the customer and routes by least cost, margin guard and quality demotion over three priced vendors, with an
 * ingress dial plan to E.164, an egress tech prefix in national format and P-Asserted-Identity.
 */
export type LoadRouting = 'priority' | 'money'

/** The transport of both legs: SIPp customer and vendor over UDP, or each over one TCP connection (`-t t1`). */
export type LoadTransport = 'udp' | 'tcp'

/** One rate step: what SIPp saw and what the core spent. */
export interface LoadStep {
  rate: number
  calls: number
  successful: number
  failed: number
  vendorFailed: number
  retransmissions: number
  wallSec: number
  cpuSec: number
  cpuUsPerCall: number | null
  /** Highest RSS of the core sampled during the step, MiB. */
  rssMiB: number
  /** CPU share of one core during the step (1.0 = one full core). */
  cores: number
  /** Highest event-loop delay p99 of the core's 5 s windows seen during the step, ms (null when /metrics did not answer). */
  lagP99Ms: number | null
  /** Longest event-loop delay seen during the step, ms. */
  lagMaxMs: number | null
  /** Longest GC pause seen during the step, ms. */
  gcMaxMs: number | null
}

/** Result of one load run: every step, and the highest rate with zero failed calls (null when even the first failed). */
export interface LoadResult {
  auth: LoadAuth
  transport: LoadTransport
  routing: LoadRouting
  steps: LoadStep[]
  best: LoadStep | null
  /** Why no step ran (call layer missing, SIPp cannot answer the challenge...). */
  skipped?: string
  /** The run's label from its options. */
  label?: string
}

/** Options; defaults: 1 s calls, 10 s per step, rates 100..6000. */
export interface LoadOptions {
  auth: LoadAuth
  /** Default udp. */
  transport?: LoadTransport
  /** Default `priority`. */
  routing?: LoadRouting
  rates?: readonly number[]
  stepSec?: number
  callMs?: number
  log?: (line: string) => void
  /** Extra environment for the core (e.g. NODE_OPTIONS=--cpu-prof while profiling). */
  coreEnv?: Record<string, string>
  /** Names the run in the table (e.g. what its coreEnv changes). */
  label?: string
}

const USER = 'bench'
const PASSWORD = 'bench-password'

/** CPU seconds (user + system) of one process, from /proc/<pid>/stat (clock ticks of 1/100 s). */
export function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** Resident set size of one process in MiB, from /proc/<pid>/status. */
export function processRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : 0
}

/** The demo routing (what `npm start` seeds): one postpaid account, one customer (by IP or by password), one catch-all vendor. */
function demoConfig(auth: LoadAuth, vendorPort: number, transport: LoadTransport): TestConfig {
  return {
    accounts: [CUSTOMER_ACCOUNT],
    mappingGateways: [customerGateway(auth)],
    routingGateways: [vendorGateway('rgw_demo', vendorPort, { transport })],
  }
}

function customerGateway(auth: LoadAuth): MappingGatewaySeed {
  return auth === 'ip'
    ? { id: 'mgw_demo', name: 'demo-ingress', accountId: CUSTOMER_ACCOUNT.id, authMode: 'ip', ips: ['127.0.0.1'] }
    : { id: 'mgw_demo', name: 'demo-ingress', accountId: CUSTOMER_ACCOUNT.id, authMode: 'password', username: USER, password: PASSWORD }
}

/** The number the load's customer dials: national, so `money` routing's dial plan makes it E.164 (4930123456). */
const MONEY_CALLEE = '030123456'

/**
 * Routing by money and quality: the customer pays 0.05/min for 49; three vendors on the same SIPp port cost 0.01, 0.02
 * and 0.08 (the last above the customer: skipped by the margin guard); the cheapest gets every call.
 */
function moneyConfig(auth: LoadAuth, vendorPort: number, transport: LoadTransport): TestConfig {
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

/** Event-loop figures of one step, ms. */
type LoopFigures = Pick<LoadStep, 'lagP99Ms' | 'lagMaxMs' | 'gcMaxMs'>

/** Folds the core's current event-loop window gauges (GET /metrics) into `into`, keeping the highest values. */
async function sampleLoop(core: CoreProcess, into: LoopFigures): Promise<void> {
  let text: string
  try {
    text = await (await fetch(`http://127.0.0.1:${core.statusPort}/metrics`)).text()
  } catch {
    return
  }
  const read = (series: string): number | null => {
    const line = text.split('\n').find((l) => l.startsWith(series + ' '))
    return line === undefined ? null : Math.round(Number(line.slice(series.length + 1)) * 10_000) / 10
  }
  const keep = (k: keyof LoopFigures, v: number | null): void => {
    if (v !== null) into[k] = Math.max(into[k] ?? 0, v)
  }
  keep('lagP99Ms', read('softswitch_eventloop_delay_p99_seconds'))
  keep('lagMaxMs', read('softswitch_eventloop_delay_max_seconds'))
  keep('gcMaxMs', read('softswitch_gc_pause_max_seconds'))
}

/** Runs `calls` calls at `rate`/s through the core and measures it. */
async function runStep(
  core: CoreProcess, auth: LoadAuth, transport: LoadTransport, service: string, vendorPort: number, rate: number, calls: number, callMs: number, trace = false,
): Promise<LoadStep & { trace: string }> {
  const pid = core.child.pid!
  const stepSec = calls / rate
  const timeoutSec = Math.ceil(stepSec + callMs / 1000 + 20)
  // SIPp's sockets get 4 MiB buffers (rmem_max here) so drops on loopback measure the core, not the load generator
  const buffers = ['-buff_size', '4194304']
  const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls, timeoutSec, trace, extraArgs: buffers, transport })
  let rss = processRssMiB(pid)
  const sampler = setInterval(() => { rss = Math.max(rss, processRssMiB(pid)) }, 250)
  const loop: LoopFigures = { lagP99Ms: null, lagMaxMs: null, gcMaxMs: null }
  const loopSampler = setInterval(() => { void sampleLoop(core, loop) }, 1000)
  const cpuBefore = processCpuSeconds(pid)
  const started = process.hrtime.bigint()
  const customer = await runSipp({
    scenario: auth === 'ip' ? 'uac-call-answered-expect-200.xml' : 'uac-digest-auth-expect-200.xml',
    target: core.target, calls, rate, service, durationMs: callMs, timeoutSec, limit: Math.max(100, rate * 4), trace, extraArgs: buffers, transport,
    ...(auth === 'digest' ? { auth: { username: USER, password: PASSWORD } } : {}),
  })
  const wallSec = Number(process.hrtime.bigint() - started) / 1e9
  const cpuSec = processCpuSeconds(pid) - cpuBefore
  clearInterval(sampler)
  clearInterval(loopSampler)
  await sampleLoop(core, loop)
  const v = await settle(vendor, 5_000)
  return {
    rate, calls, successful: customer.successful, failed: customer.failed, vendorFailed: v.failed,
    retransmissions: customer.retransmissions, wallSec: Math.round(wallSec * 10) / 10, cpuSec: Math.round(cpuSec * 100) / 100,
    cpuUsPerCall: customer.successful > 0 ? Math.round((cpuSec * 1e6) / customer.successful) : null,
    rssMiB: Math.round(rss), cores: Math.round((cpuSec / wallSec) * 100) / 100, ...loop,
    trace: `${describeSipp('customer', customer).slice(0, 1500)}\n${describeSipp('vendor', v).slice(0, 800)}`,
  }
}

/** Steps the call rate up (bounded: fixed rates, `-m` and `-timeout` on every SIPp) and stops at the first step with a failed call. */
export async function benchCallRate(opts: LoadOptions): Promise<LoadResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'))
  const rates = opts.rates ?? [100, 200, 400, 800, 1200, 1600, 2000, 2500, 3000, 4000, 5000, 6000]
  const stepSec = opts.stepSec ?? 10
  const callMs = opts.callMs ?? 1000
  const transport = opts.transport ?? 'udp'
  const routing = opts.routing ?? 'priority'
  const service = routing === 'money' ? MONEY_CALLEE : '1000'
  const vendorPort = transport === 'udp' ? await freeUdpPort() : await freeTcpPort()
  // the documented default reload period, not the tests' 100 ms
  const core = await startCore(
    { LOG_LEVEL: 'warn', CONFIG_RELOAD_MS: '1000', ...opts.coreEnv },
    { config: routing === 'money' ? moneyConfig(opts.auth, vendorPort, transport) : demoConfig(opts.auth, vendorPort, transport) },
  )
  const steps: LoadStep[] = []
  try {
    // One call first: a core without a call layer (or a challenge SIPp cannot answer) ends the run with a reason, not a table of zeros.
    const probe = await runStep(core, opts.auth, transport, service, vendorPort, 10, 1, 100, true)
    if (probe.successful !== 1 || probe.vendorFailed > 0) {
      const why = /must use MD5 or AKAv1-MD5/.test(probe.trace)
        ? 'SIPp 3.6.1 answers only the first digest challenge and only MD5; SS_AUTH_DIGEST_FIRST must be MD5 (github.com/SIPp/sipp/issues/488)'
        : /\b501\b/.test(probe.trace) ? 'the core answers INVITE with 501: no call layer yet' : 'a single probe call failed'
      return { auth: opts.auth, transport, routing, steps, best: null, skipped: `${why}\n${probe.trace}`, ...(opts.label === undefined ? {} : { label: opts.label }) }
    }
    for (const rate of rates) {
      const step = await runStep(core, opts.auth, transport, service, vendorPort, rate, Math.round(rate * stepSec), callMs)
      const { trace, ...line } = step
      steps.push(line)
      log(JSON.stringify({ auth: opts.auth, transport, routing, ...line }))
      if (step.failed > 0 || step.vendorFailed > 0 || step.successful < step.calls) {
        log(trace)
        break
      }
      await new Promise((ok) => setTimeout(ok, 2_000)) // let the last calls' transactions end before the next step
    }
  } finally {
    await core.stop()
  }
  const clean = steps.filter((s) => s.failed === 0 && s.vendorFailed === 0 && s.successful === s.calls)
  return { auth: opts.auth, transport, routing, steps, best: clean[clean.length - 1] ?? null, ...(opts.label === undefined ? {} : { label: opts.label }) }
}
