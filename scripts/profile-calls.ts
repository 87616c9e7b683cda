// `tsx scripts/profile-calls.ts`: the core (built, as production runs it) under a steady SIPp call rate; CPU and allocation per call, peak memory (per process), and the CPU profile's top.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { demoConfig, USER } from './bench-calls.js'
import { formatSummary, summariseProfile } from './profile-summary.js'
import { describeStep, runRamp } from '../core/e2e/test-support/cps-ramp.js'
import { freeUdpPort, repoRoot, startCore } from '../core/e2e/test-support/harness.js'
import { processCpuSeconds, processTree, threadCpuSeconds, treeCpuSeconds } from '../core/e2e/test-support/proc-stats.js'

const argv = process.argv.slice(2)
const value = (name: string, def: string): string => {
  const i = argv.indexOf(name)
  return i === -1 ? def : argv[i + 1] ?? def
}
const rate = Number(value('--rate', '1000'))
const stepSec = Number(value('--step-seconds', '10'))
const repeat = Number(value('--repeat', '3'))
const top = Number(value('--top', '30'))
const profile = argv.includes('--cpu-prof')
const logLevel = value('--log-level', 'warn')
// Held calls: `--hold-ms 150000 --step-seconds 100 --rate 500` holds 50,000 calls; `--cap-seconds` arms a duration cap on each.
const holdMs = Number(value('--hold-ms', '1000'))
const capSec = Number(value('--cap-seconds', '0'))
// `--workers 2` runs the primary and two workers; CPU is then printed per process as well.
const workers = value('--workers', '1')
// `--auth digest` challenges every call (the customer gateway authenticates by password).
const auth = value('--auth', 'ip') === 'digest' ? 'digest' : 'ip'
// `--tsx` runs the core from its TypeScript under tsx (as the tests do) instead of built: profiles then name source lines.
const built = !argv.includes('--tsx')
// `--gc-log PATH` writes each step's output (`--trace-gc-nvp` lines: promoted, survived, background marking per GC) to PATH.<step>.
const gcLog = value('--gc-log', '')

const profDir = mkdtempSync(join(tmpdir(), 'softswitch-prof-'))
const extraArgs = value('--node-args', '').split(' ').filter((a) => a !== '')
const nodeArgs = ['--trace-gc-nvp', ...extraArgs, ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])]
const vendorPort = await freeUdpPort()
const core = await startCore(
  { LOG_LEVEL: logLevel, CONFIG_RELOAD_MS: '1000', NODE_ENV: 'production', CORE_WORKERS: workers },
  { built, config: demoConfig(auth, vendorPort, 'udp'), nodeArgs, ...(capSec > 0 ? { params: { SS_MAXCALLDURATION: capSec } } : {}) },
)

/** The sum of one `--trace-gc-nvp` byte field over the core's output of a step: `allocated` (V8 heap allocated), `promoted` (moved from the young generation to the old). */
function gcBytes(text: string, field: 'allocated' | 'promoted'): number {
  let n = 0
  for (const m of text.matchAll(new RegExp(` ${field}=(\\d+)`, 'g'))) n += Number(m[1])
  return n
}

/** GC pause time by kind between two offsets of the output (`gc=s` scavenge, `gc=mc` mark-compact, `gc=mmc` minor mark-compact, ...), in ms. */
function gcPauses(text: string): Map<string, { n: number; ms: number }> {
  const out = new Map<string, { n: number; ms: number }>()
  for (const line of text.split('\n')) {
    const kind = / gc=(\w+)/.exec(line)?.[1]
    const pause = /(?:^|\s)pause=([\d.]+)/.exec(line)?.[1]
    if (kind === undefined || pause === undefined) continue
    const e = out.get(kind) ?? { n: 0, ms: 0 }
    e.n++
    e.ms += Number(pause)
    out.set(kind, e)
  }
  return out
}

/** The node's mesh counters (summed over its workers): datagrams handed to their owner, kept, frames, bytes and writes. */
async function meshCounters(): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  if (workers === '1') return out
  const text = await (await fetch(`http://127.0.0.1:${core.statusPort}/metrics`)).text()
  for (const m of text.matchAll(/^softswitch_(worker_dispatched_messages_total\{to="\w+"\}|worker_mesh_\w+_total) (\d+)/gm)) out.set(m[1]!, Number(m[2]))
  return out
}

/** The answer's wait for the journal (`call_answer_journal_seconds`, summed over the workers): cumulative count per bucket bound, with its sum. */
async function answerJournal(): Promise<{ buckets: Map<string, number>; sum: number }> {
  const text = await (await fetch(`http://127.0.0.1:${core.statusPort}/metrics`)).text()
  const buckets = new Map<string, number>()
  for (const m of text.matchAll(/^softswitch_call_answer_journal_seconds_bucket\{le="([^"]+)"\} (\d+)/gm)) buckets.set(m[1]!, Number(m[2]))
  const sum = Number(/^softswitch_call_answer_journal_seconds_sum ([\d.e+-]+)/m.exec(text)?.[1] ?? 0)
  return { buckets, sum }
}

/** The step's answer-journal waits: mean, and the bucket bound under which 50% and 95% of them fell. */
function describeAnswerJournal(a: Awaited<ReturnType<typeof answerJournal>>, b: Awaited<ReturnType<typeof answerJournal>>): string {
  const n = (b.buckets.get('+Inf') ?? 0) - (a.buckets.get('+Inf') ?? 0)
  if (n <= 0) return 'answer journal wait: none'
  const under = (q: number): string => {
    for (const [le, c] of b.buckets) if (c - (a.buckets.get(le) ?? 0) >= q * n) return le === '+Inf' ? '>1 s' : `≤ ${Number(le) * 1000} ms`
    return '?'
  }
  return `answer journal wait: ${n} answers, mean ${(((b.sum - a.sum) / n) * 1000).toFixed(2)} ms, p50 ${under(0.5)}, p95 ${under(0.95)}`
}

/** Each thread name's CPU since `before` over the calls, user+system, the main thread's system part apart (the kernel's sends and receives). */
function threadSplit(pids: number[], before: Map<string, { user: number; sys: number }>[], calls: number): string {
  const sum = new Map<string, { user: number; sys: number }>()
  pids.forEach((pid, j) => {
    for (const [name, now] of threadCpuSeconds(pid)) {
      const was = before[j]!.get(name) ?? { user: 0, sys: 0 }
      const e = sum.get(name) ?? { user: 0, sys: 0 }
      e.user += now.user - was.user
      e.sys += now.sys - was.sys
      sum.set(name, e)
    }
  })
  const us = (s: number): number => Math.round((s * 1e6) / Math.max(1, calls))
  return [...sum]
    .filter(([, e]) => e.user + e.sys > 0)
    .sort((a, b) => b[1].user + b[1].sys - (a[1].user + a[1].sys))
    .map(([name, e]) => (name === 'MainThread' ? `${name} ${us(e.user + e.sys)} (system ${us(e.sys)})` : `${name} ${us(e.user + e.sys)}`))
    .join(', ')
}

const cpuPerCall: number[] = []
try {
  process.stderr.write(`# core pid ${core.child.pid}, ${repeat} x ${stepSec} s at ${rate} calls/s, LOG_LEVEL=${logLevel}${built ? ', built' : ', tsx'}${profile ? ', --cpu-prof' : ''}${extraArgs.length > 0 ? `, node ${extraArgs.join(' ')}` : ''}\n`)
  for (let i = 0; i < repeat; i++) {
    const from = core.output().length
    const cpu0 = treeCpuSeconds(core.child.pid!)
    const pids = processTree(core.child.pid!)
    const mesh0 = await meshCounters()
    const journal0 = await answerJournal()
    const each0 = pids.map(processCpuSeconds)
    const threads0 = pids.map(threadCpuSeconds)
    const r = await runRamp({ target: core.target, vendorPort, ...(auth === 'digest' ? { auth: USER } : {}), rates: [rate], stepSec, holdMs, watchPid: core.child.pid!, log: () => {} })
    const step = r.steps[0]!
    // The whole step, every call's BYE included, over the calls that completed (a failing step still counts what it did).
    const us = Math.round(((treeCpuSeconds(core.child.pid!) - cpu0) * 1e6) / Math.max(1, step.ok))
    const text = core.output().slice(from)
    if (gcLog !== '') writeFileSync(`${gcLog}.${i}`, text)
    const kib = gcBytes(text, 'allocated') / 1024 / Math.max(1, step.ok)
    const gc = [...gcPauses(text)].map(([k, e]) => `${k} ${e.n}x ${(e.ms * 1000 / Math.max(1, step.ok)).toFixed(1)} µs/call`).join(', ')
    cpuPerCall.push(us)
    const mesh1 = await meshCounters()
    console.log(`  ${describeAnswerJournal(journal0, await answerJournal())}`)
    if (mesh1.size > 0) {
      const per = (k: string): string => (((mesh1.get(k) ?? 0) - (mesh0.get(k) ?? 0)) / Math.max(1, step.ok)).toFixed(2)
      const writes = (mesh1.get('worker_mesh_writes_total') ?? 0) - (mesh0.get('worker_mesh_writes_total') ?? 0)
      const frames = (mesh1.get('worker_mesh_frames_sent_total') ?? 0) - (mesh0.get('worker_mesh_frames_sent_total') ?? 0)
      console.log(`  per completed call: datagrams kept ${per('worker_dispatched_messages_total{to="here"}')}, handed to their owner ${per('worker_dispatched_messages_total{to="owner"}')}; mesh frames ${per('worker_mesh_frames_sent_total')}, bytes ${per('worker_mesh_bytes_sent_total')}, writes ${per('worker_mesh_writes_total')} (${writes > 0 ? (frames / writes).toFixed(1) : '-'} frames/write)`)
    }
    if (pids.length > 1) {
      const each = pids.map((pid, j) => `${pid} ${Math.round(((processCpuSeconds(pid) - each0[j]!) * 1e6) / Math.max(1, step.ok))}`)
      console.log(`  µs CPU/completed call by process (pid µs): ${each.join(', ')}`)
    }
    console.log(`  µs CPU/completed call by thread, all processes: ${threadSplit(pids, threads0, step.ok)}`)
    console.log(`${describeStep(step)}  whole step ${us} µs CPU/completed call  heap allocated ${kib.toFixed(1)} KiB/call, promoted ${Math.round(gcBytes(text, 'promoted') / Math.max(1, step.ok))} B/call  GC pauses ${gc}`)
  }
} finally {
  await core.stop()
}
console.log(`CPU per call, best of ${cpuPerCall.length}: ${Math.min(...cpuPerCall)} µs`)
if (profile) {
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'))
  if (files.length === 0) console.log('no profile written')
  for (const file of files) {
    console.log(`profile: ${join(profDir, file)}\n`)
    console.log(formatSummary(summariseProfile(join(profDir, file), repoRoot, top)))
  }
}
