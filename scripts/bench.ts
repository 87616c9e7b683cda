// `npm run bench`: runs every micro-benchmark (`*.bench.ts`) and the SIPp OPTIONS throughput benchmark; prints a summary.
import { spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { benchCalls, benchNodes, callsOptions, callsTable, NODES_LABELS, rampCore, rampNodes, type CallsRun } from './bench-calls.js'
import { repoRoot, runSipp, startCore } from '../core/e2e/test-support/harness.js'
import { startRedis } from '../core/shared-state/test-support/redis-server.js'

interface BenchLine {
  name: string
  opsPerSec?: number
  nsPerOp?: number
  [k: string]: unknown
}

/** Lists benchmark files under the code folders. */
function findBenchFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) findBenchFiles(path, out)
    else if (name.endsWith('.bench.ts')) out.push(path)
  }
  return out
}

/** Runs one benchmark file in its own process and collects the JSON lines it prints. */
async function runBenchFile(file: string): Promise<BenchLine[]> {
  const child = spawn(join(repoRoot, 'node_modules/.bin/tsx'), [file], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  await new Promise((ok) => child.once('exit', ok))
  const lines: BenchLine[] = []
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue
    try {
      lines.push(JSON.parse(line) as BenchLine)
    } catch {
      // a non-JSON line is the benchmark's own commentary
    }
  }
  return lines
}

/** CPU seconds (user + system) one process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}

/** CPU seconds of a process and all its descendants. */
function treeCpuSeconds(root: number): number {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const ppid = Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)])
    } catch {
      // the process exited while we looked
    }
  }
  let total = 0
  for (const queue = [root]; queue.length > 0; ) {
    const pid = queue.pop()!
    total += cpuSeconds(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  return total
}

/** Run `x` against run `y`: highest clean calls/s and core CPU per call at the highest rate both passed, as ratios x / y. */
function compare(what: string, x: CallsRun | undefined, y: CallsRun | undefined): void {
  const a = x?.result?.max
  const b = y?.result?.max
  if (a == null || b == null) return
  // CPU per call at the highest rate both passed is the finer measure; the highest clean rate moves in whole steps.
  const rate = Math.min(a.rate, b.rate)
  const ca = x!.result!.steps.find((s) => s.rate === rate)?.cpuUsPerCall ?? null
  const cb = y!.result!.steps.find((s) => s.rate === rate)?.cpuUsPerCall ?? null
  console.log(`\n${what} (IP, UDP): highest clean calls/s ${a.rate} / ${b.rate} = ${(a.rate / b.rate).toFixed(2)}; ` +
    `core CPU per call at ${rate}/s ${ca} / ${cb} µs = ${ca !== null && cb !== null ? (ca / cb).toFixed(2) : 'n/a'}`)
}

/** Two nodes behind one Redis against one node with Redis, with what the figure means on one machine. */
function compareNodes(two: CallsRun | undefined, one: CallsRun | undefined): void {
  compare('two nodes behind one Redis vs one node with REDIS_URL', two, one)
  console.log(`  (both nodes run on this machine's ${availableParallelism()} CPUs, beside SIPp and redis-server: the ratio is what sharing ` +
    'those CPUs costs, not what a second machine adds; CPU per call counts both nodes)')
}

/** Highest OPTIONS rate SIPp can drive through the core's UDP socket with zero failed transactions. */
async function benchOptions(): Promise<BenchLine[]> {
  // SIPp sends from an address that is no gateway: pike would ban it after its first burst and the per-source cap
  // would drop it past 500 open transactions (docs/architecture.md, "Facing the internet"); both are lifted to measure
  // transactions, not the screen.
  const core = await startCore({}, { built: true, params: { SS_PIKE_RATE: 100_000, SS_PIKE_BURST: 1_000_000, SS_MAX_TRANSACTIONS_PER_SOURCE: 1_000_000 } })
  const results: BenchLine[] = []
  try {
    const pid = core.child.pid
    for (const rate of [1000, 2000, 4000, 8000, 12000, 16000, 20000, 24000]) {
      const calls = rate * 5
      const cpuBefore = pid ? treeCpuSeconds(pid) : 0
      const started = process.hrtime.bigint()
      const res = await runSipp({
        scenario: 'uac-options-expect-200.xml',
        target: `127.0.0.1:${core.sipPort}`,
        calls,
        rate,
        timeoutSec: 30,
        extraArgs: ['-l', String(rate)],
      })
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      const cpu = pid ? treeCpuSeconds(pid) - cpuBefore : 0
      const line: BenchLine = {
        name: `sip OPTIONS transactions via UDP (SIPp -r ${rate})`,
        opsPerSec: Math.round(res.successful / seconds),
        failed: res.failed,
        coreCpuUsPerTransaction: res.successful ? Math.round((cpu * 1e6) / res.successful) : null,
      }
      results.push(line)
      console.error(JSON.stringify(line))
      if (res.failed > 0 || res.successful < calls) break
    }
  } finally {
    await core.stop()
  }
  return results
}

const only = process.argv[2]
if (only === 'calls') {
  // The comparison alone: core and Kamailio, IP and digest, on the same ramp in this run.
  const runs = await benchCalls(process.argv.slice(3))
  console.log('\n' + callsTable(runs))
  process.exit(0)
}
if (only === 'nodes') {
  // Calls per second of two core nodes behind one Redis against one node with Redis, on the same ramp in this run.
  const runs = await benchNodes(process.argv.slice(3))
  console.log('\n' + callsTable(runs))
  compareNodes(runs.find((r) => r.label === NODES_LABELS.two), runs.find((r) => r.label === NODES_LABELS.one))
  process.exit(0)
}
const files = findBenchFiles(repoRoot).filter((f) => !only || f.includes(only))
const all: BenchLine[] = []
for (const file of files) {
  console.error(`# ${relative(repoRoot, file)}`)
  all.push(...(await runBenchFile(file)))
}
if (!only || only === 'sipp') all.push(...(await benchOptions()))
const loads: CallsRun[] = []
if (!only || only === 'sipp') {
  // Calls per second of the core alone: IP over UDP with the demo routing, the same without holding 100 Trying and the
  // 200 for the journal (what the durable answer costs: ratio below), with routing by money and quality (least cost,
  // margin guard, quality demotion, dial plans; ratio below), digest over UDP, then IP over TCP on both legs (one
  // connection each way).
  const o = { ...callsOptions(process.argv.slice(3)), kamailio: false }
  loads.push(await rampCore('ip', o))
  loads.push(await rampCore('ip', o, 'udp', 'priority', { coreEnv: { CDR_DURABLE_ANSWER: 'false' }, label: 'answer not journaled first' }))
  loads.push(await rampCore('ip', o, 'udp', 'money'))
  loads.push(await rampCore('digest', o))
  loads.push(await rampCore('ip', o, 'tcp'))
  // IP over UDP in one process, then the same with REDIS_URL: every admission and attempt also takes its limits in a
  // real redis-server (one Lua round trip each): what counting limits across nodes costs one node (ratio below).
  const one = { ...o, workers: 1 }
  loads.push(await rampCore('ip', one, 'udp', 'priority', { label: 'one process' }))
  const redis = await startRedis()
  try {
    loads.push(await rampCore('ip', one, 'udp', 'priority', { coreEnv: { REDIS_URL: redis.url, NODE_ID: 'bench' }, label: 'one process, REDIS_URL (limits in Redis)' }))
    // Two such nodes behind the same Redis, SIPp driving each at half the rate (ratio below).
    loads.push(await rampNodes(one, 2, redis.url))
  } finally {
    await redis.stop()
  }
}
console.log('\n| benchmark | ops/s | ns/op | notes |\n| --- | --- | --- | --- |')
for (const b of all) {
  const { name, opsPerSec, nsPerOp, ...rest } = b
  const notes = Object.entries(rest).map(([k, v]) => `${k}=${String(v)}`).join(' ')
  console.log(`| ${name} | ${opsPerSec ?? ''} | ${nsPerOp ?? ''} | ${notes} |`)
}
if (loads.length > 0) {
  console.log('\n' + callsTable(loads))
  const plain = loads.find((l) => l.auth === 'ip' && l.transport === 'udp' && l.routing === 'priority' && l.label === undefined)
  compare("durable answer (100 Trying and 200 after the journal's fdatasync) vs not", plain, loads.find((l) => l.label === 'answer not journaled first'))
  compare('limits in Redis (REDIS_URL) vs in process, one process each', loads.find((l) => l.label === 'one process, REDIS_URL (limits in Redis)'), loads.find((l) => l.label === 'one process'))
  compare('routing by money and quality vs priority routing', loads.find((l) => l.auth === 'ip' && l.transport === 'udp' && l.routing === 'money'), plain)
  compare('one worker per CPU vs one process', plain, loads.find((l) => l.label === 'one process'))
  compareNodes(loads.find((l) => l.label === NODES_LABELS.two), loads.find((l) => l.label === 'one process, REDIS_URL (limits in Redis)'))
}
