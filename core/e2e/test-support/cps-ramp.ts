// The calls-per-second ramp of `npm run bench -- calls`: SIPp customer and vendor on loopback against any SIP node (or several nodes, one customer each), step by step, with the pass rule and figures of every step.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freeUdpPort, scenarioDir } from './harness.js'
import { processLabel, processPssMiB, processTree, treeCpuSeconds, udpReceiveErrors } from './proc-stats.js'

/** Options of one ramp; defaults follow the reference figures (1 s calls, 10 s steps, 95% of the offered rate). */
export interface RampOptions {
  /** `127.0.0.1:port` of the node measured; several nodes share each step's rate equally, one SIPp customer each. */
  target: string | readonly string[]
  /** Port the vendor (SIPp UAS) listens on: the node routes the called number there. */
  vendorPort: number
  rates: readonly number[]
  /** Digest credentials: the customer answers one 401/407 challenge per call. */
  auth?: { username: string; password: string }
  stepSec?: number
  holdMs?: number
  /** Called number (SIPp `-s`). */
  number?: string
  /** Root of the node's processes (of each node's): their CPU and memory are measured (every descendant included). */
  watchPid?: number | readonly number[]
  /** Pause between steps, s (the last calls' transactions end). */
  settleSec?: number
  /** Achieved over offered calls per second a step needs to pass. */
  minRatio?: number
  /** SIP over UDP (default) or TCP with one connection each way (SIPp `-t t1`). */
  transport?: 'udp' | 'tcp'
  /** Keeps stepping after a failed rate. */
  keepGoing?: boolean
  log?: (line: string) => void
}

/** Set-up time percentiles (INVITE to 200), ms; null when SIPp wrote too few samples. */
export interface SetupTimes {
  p50: number
  p95: number
  p99: number
  max: number
}

/** One rate step: what SIPp saw and what the node spent. */
export interface RampStep {
  rate: number
  calls: number
  ok: number
  failed: number
  retransmissions: number
  timeouts: number
  unexpected: number
  /** Answered calls over the time between the first and the last 200, per second. */
  achievedCps: number
  setupMs: SetupTimes | null
  /** CPU of the node (all its processes) over the steady part of the step, in cores (1 = one core). */
  nodeCores: number | null
  /** Node CPU per answered call over the steady window, µs. */
  cpuUsPerCall: number | null
  /** Highest proportional set size (PSS) of the node's processes together, MiB (shared pages counted once). */
  pssMiB: number | null
  /** Highest PSS of each of the node's processes over the step, MiB, labelled by what it runs (`main`, `worker`, `esbuild`...). */
  pssByProcess: { pid: number; label: string; mib: number }[]
  /** CPU of the SIPp customer and vendor, in cores. */
  sippCores: number
  /** Kernel UDP receive-buffer drops during the step (the whole host). */
  udpDrops: number
  /** Empty when the step passed; else what failed. */
  failures: string[]
}

/** Steps run (up to the first failure unless keepGoing) and the highest rate that passed. */
export interface RampResult {
  steps: RampStep[]
  max: RampStep | null
}

const BUFFER = '4194304'

/** Reads the last row of a SIPp `;`-separated CSV as a name → number map (missing file: empty). */
function lastRow(file: string | undefined): Map<string, number> {
  const out = new Map<string, number>()
  if (file === undefined) return out
  let text: string
  try {
    text = readFileSync(file, 'utf8').trim()
  } catch {
    return out
  }
  const lines = text.split('\n')
  const head = lines[0]?.split(';') ?? []
  const last = lines[lines.length - 1]?.split(';') ?? []
  head.forEach((name, i) => out.set(name, Number(last[i] ?? 0) || 0))
  return out
}

/** Sums the columns whose name ends with `suffix` (`_Timeout`, `_Unexp` of a `-trace_counts` file). */
function sumSuffix(row: Map<string, number>, suffix: string): number {
  let n = 0
  for (const [k, v] of row) if (k.endsWith(suffix)) n += v
  return n
}

/** The first file in `dir` whose name matches. */
function findFile(dir: string, pattern: RegExp): string | undefined {
  const f = readdirSync(dir).find((n) => pattern.test(n))
  return f === undefined ? undefined : join(dir, f)
}

/** Achieved calls per second and set-up percentiles from SIPp's `-trace_rtt` files (RTD 1 = INVITE to 200), one per customer. */
function setupStats(files: readonly (string | undefined)[]): { achievedCps: number; setupMs: SetupTimes | null } {
  const at: number[] = []
  const ms: number[] = []
  for (const file of files) for (const line of file === undefined ? [] : readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [date, rt, rtd] = line.split(';')
    if (rtd?.trim() !== '1') continue
    at.push(Number(date))
    ms.push(Number(rt))
  }
  if (at.length < 2) return { achievedCps: 0, setupMs: null }
  at.sort((a, b) => a - b)
  ms.sort((a, b) => a - b)
  const span = (at[at.length - 1]! - at[0]!) / 1000
  const q = (p: number): number => Math.round(ms[Math.max(0, Math.ceil(p * ms.length) - 1)]!)
  return { achievedCps: span > 0 ? Math.round((at.length - 1) / span) : 0, setupMs: { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: Math.round(ms[ms.length - 1]!) } }
}

/** Spawns one bounded SIPp (`-m`, `-timeout`, and a SIGKILL 15 s after it) in `cwd`; resolves with its exit code. */
function sipp(args: string[], cwd: string, timeoutSec: number): { child: ChildProcess; exit: Promise<number | null> } {
  const child = spawn('sipp', args, { cwd, stdio: ['ignore', 'ignore', 'ignore'] })
  const killer = setTimeout(() => child.kill('SIGKILL'), (timeoutSec + 15) * 1000)
  const exit = new Promise<number | null>((ok) => child.once('exit', (code) => {
    clearTimeout(killer)
    ok(code)
  }))
  return { child, exit }
}

/** Resolves `p`, or null after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let t: NodeJS.Timeout | undefined
  return Promise.race([p, new Promise<null>((ok) => { t = setTimeout(() => ok(null), ms) })]).finally(() => clearTimeout(t))
}

/** Waits until something is bound to UDP `port`, or listens on TCP `port` (read from /proc/net). */
async function bound(port: number, transport: 'udp' | 'tcp', timeoutMs: number): Promise<boolean> {
  const hex = ':' + port.toString(16).toUpperCase().padStart(4, '0')
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    // TCP state 0A is LISTEN.
    const hit = readFileSync(`/proc/net/${transport}`, 'utf8').split('\n').some((line) => {
      const f = line.trim().split(/\s+/)
      return f[1]?.endsWith(hex) === true && (transport === 'udp' || f[3] === '0A')
    })
    if (hit) return true
    await new Promise((ok) => setTimeout(ok, 20))
  }
  return false
}

/** Runs one rate: a fresh vendor, then a customer per node placing rate × stepSec calls in all at `rate`/s together; measures the nodes meanwhile. */
async function runStep(o: Required<Omit<RampOptions, 'auth' | 'watchPid' | 'log' | 'transport'>> & RampOptions, rate: number, out: string): Promise<RampStep> {
  const targets = typeof o.target === 'string' ? [o.target] : o.target
  const perCustomer = Math.ceil((rate * o.stepSec) / targets.length)
  const calls = perCustomer * targets.length
  const holdSec = Math.ceil(o.holdMs / 1000)
  // Longer than INVITE Timer B (32 s) after the last call starts.
  const timeoutSec = o.stepSec + holdSec + 40
  const dir = join(out, `rate_${rate}`)
  mkdirSync(dir, { recursive: true })
  const common = (m: number): string[] => [...(o.transport === 'tcp' ? ['-t', 't1'] : []), '-i', '127.0.0.1', '-m', String(m), '-timeout', `${timeoutSec}s`, '-nostdin', '-buff_size', BUFFER, '-trace_stat', '-fd', '1', '-trace_counts', '-trace_err']
  const vendor = sipp(['-sf', join(scenarioDir, 'uas-cps-answer-expect-bye.xml'), '-p', String(o.vendorPort), ...common(calls), '-stf', 'uas_stat.csv'], dir, timeoutSec)
  if (!(await bound(o.vendorPort, o.transport ?? 'udp', 5_000))) {
    vendor.child.kill('SIGKILL')
    await vendor.exit
    throw new Error(`the SIPp vendor did not bind ${o.transport ?? 'udp'} ${o.vendorPort}`)
  }
  const scenario = o.auth === undefined ? 'uac-cps-call-expect-200.xml' : 'uac-cps-digest-call-expect-200.xml'
  const share = rate / targets.length
  // One customer per node, each in its own folder, at an equal share of the rate and of the calls.
  const customers: { dir: string; run: ReturnType<typeof sipp> }[] = []
  for (const [i, target] of targets.entries()) {
    const cdir = targets.length === 1 ? dir : join(dir, `uac${i}`)
    mkdirSync(cdir, { recursive: true })
    const auth = o.auth === undefined ? [] : ['-au', o.auth.username, '-ap', o.auth.password, '-auth_uri', `${o.number}@${target}`]
    const run = sipp([
      target, '-sf', join(scenarioDir, scenario), '-s', o.number, '-p', String(await freeUdpPort()), '-r', String(share), '-rp', '1000',
      '-l', String(Math.ceil(share * (holdSec + 10))), '-d', String(o.holdMs), ...common(perCustomer),
      '-timeout_error', ...auth, '-stf', 'uac_stat.csv',
      // SIPp does not flush a partial batch of response times at exit: one batch per second of calls.
      '-trace_rtt', '-rtt_freq', String(Math.ceil(share)),
    ], cdir, timeoutSec)
    customers.push({ dir: cdir, run })
  }
  const watched = o.watchPid === undefined ? [] : typeof o.watchPid === 'number' ? [o.watchPid] : [...o.watchPid]
  const sippPids = [...customers.map((c) => c.run.child.pid), vendor.child.pid].filter((p): p is number => p !== undefined)
  let pss: number | null = null
  const byProcess = new Map<number, { pid: number; label: string; mib: number }>()
  // Each sample sums the processes living at that moment; the step keeps the highest sum and each process's highest.
  const samplePss = (): void => {
    if (watched.length === 0) return
    let sum = 0
    for (const pid of processTree(...watched)) {
      const mib = processPssMiB(pid)
      sum += mib
      const e = byProcess.get(pid)
      if (e === undefined) byProcess.set(pid, { pid, label: processLabel(pid), mib })
      else e.mib = Math.max(e.mib, mib)
    }
    pss = Math.max(pss ?? 0, sum)
  }
  const pssTimer = setInterval(samplePss, 1000)
  // The steady window: from 1 s after the first call to 1 s before the last one is placed.
  await new Promise((ok) => setTimeout(ok, 1000))
  const t0 = process.hrtime.bigint()
  const node0 = watched.length === 0 ? 0 : treeCpuSeconds(...watched)
  const sipp0 = treeCpuSeconds(...sippPids)
  const drops0 = udpReceiveErrors()
  await new Promise((ok) => setTimeout(ok, (o.stepSec - 2) * 1000))
  const windowSec = Number(process.hrtime.bigint() - t0) / 1e9
  const nodeCpu = watched.length === 0 ? null : treeCpuSeconds(...watched) - node0
  const sippCpu = treeCpuSeconds(...sippPids) - sipp0
  const udpDrops = udpReceiveErrors() - drops0
  samplePss()
  const customerExits = await Promise.all(customers.map((c) => c.run.exit))
  clearInterval(pssTimer)
  if ((await within(vendor.exit, (holdSec + 10) * 1000)) === null) {
    vendor.child.kill('SIGTERM')
    if ((await within(vendor.exit, 5_000)) === null) vendor.child.kill('SIGKILL')
    await vendor.exit
  }

  const stats = customers.map((c) => lastRow(join(c.dir, 'uac_stat.csv')))
  const counts = customers.map((c) => lastRow(findFile(c.dir, /^uac-.*_counts\.csv$/)))
  const vendorStat = lastRow(join(dir, 'uas_stat.csv'))
  const { achievedCps, setupMs } = setupStats(customers.map((c) => findFile(c.dir, /^uac-.*_rtt\.csv$/)))
  const sum = (f: (i: number) => number): number => customers.reduce((n, _, i) => n + f(i), 0)
  const placed = sum((i) => stats[i]!.get('OutgoingCall(C)') ?? 0)
  const ok = sum((i) => stats[i]!.get('SuccessfulCall(C)') ?? 0)
  const failed = sum((i) => (stats[i]!.size === 0 ? perCustomer : stats[i]!.get('FailedCall(C)') ?? 0))
  const timeouts = sum((i) => sumSuffix(counts[i]!, '_Timeout'))
  const unexpected = sum((i) => sumSuffix(counts[i]!, '_Unexp'))
  const failures: string[] = []
  for (const code of customerExits) if (code !== 0) failures.push(`sipp exit ${code}`)
  if (placed !== calls) failures.push(`placed ${placed}`)
  if (ok !== calls) failures.push(`ok ${ok} < ${calls}`)
  if (failed > 0) failures.push(`failed ${failed}`)
  if (timeouts > 0) failures.push(`timeouts ${timeouts}`)
  if (unexpected > 0) failures.push(`unexpected ${unexpected}`)
  if (achievedCps < o.minRatio * rate) failures.push(`achieved ${achievedCps} < ${o.minRatio} x ${rate}`)
  return {
    rate, calls, ok, failed, timeouts, unexpected, achievedCps, setupMs, udpDrops, failures,
    retransmissions: sum((i) => stats[i]!.get('Retransmissions(C)') ?? 0) + (vendorStat.get('Retransmissions(C)') ?? 0),
    nodeCores: nodeCpu === null ? null : round2(nodeCpu / windowSec),
    cpuUsPerCall: nodeCpu === null ? null : Math.round((nodeCpu * 1e6) / (rate * windowSec)),
    pssMiB: pss === null ? null : Math.round(pss),
    pssByProcess: [...byProcess.values()].map((e) => ({ ...e, mib: Math.round(e.mib) })),
    sippCores: round2(sippCpu / windowSec),
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100
}

/** One line per step for the log. */
export function describeStep(s: RampStep): string {
  const setup = s.setupMs === null ? '-' : `${s.setupMs.p50}/${s.setupMs.p95}/${s.setupMs.p99}/${s.setupMs.max}`
  return [
    `rate ${s.rate}`, `ok ${s.ok}/${s.calls}`, `failed ${s.failed}`, `retrans ${s.retransmissions}`, `achieved ${s.achievedCps}/s`,
    `setup ms ${setup}`, `node ${s.nodeCores ?? '-'} cores`, `${s.cpuUsPerCall ?? '-'} µs/call`, `PSS ${s.pssMiB ?? '-'} MiB${s.pssByProcess.length > 1 ? ` (${s.pssByProcess.map((p) => `${p.label} ${p.mib}`).join(', ')})` : ''}`,
    `sipp ${s.sippCores} cores`, `udp drops ${s.udpDrops}`, s.failures.length === 0 ? 'PASS' : `FAIL (${s.failures.join(', ')})`,
  ].join('  ')
}

/** Steps through `rates` (every SIPp bounded by -m, -timeout and a kill), stopping at the first failing one unless keepGoing. */
export async function runRamp(opts: RampOptions): Promise<RampResult> {
  const o = { stepSec: 10, holdMs: 1000, number: '00442071234567', settleSec: 2, minRatio: 0.95, keepGoing: false, ...opts }
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'))
  const out = mkdtempSync(join(tmpdir(), 'softswitch-cps-'))
  const steps: RampStep[] = []
  let max: RampStep | null = null
  for (const rate of o.rates) {
    const step = await runStep(o, rate, out)
    steps.push(step)
    log(describeStep(step))
    if (step.failures.length === 0) {
      if (max === null || step.rate > max.rate) max = step
    } else if (!o.keepGoing) break
    await new Promise((ok) => setTimeout(ok, o.settleSec * 1000))
  }
  log(`SIPp files: ${out}`)
  return { steps, max }
}
