// Worker-side CDR path benchmark (`npm run bench -- sink`): CPU per call of a worker's sink (open, answer and end journaled, fsync'd) at a steady call rate.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SystemClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { CdrSink } from './sink.js'
import { realisticCdr, seededRandom } from './test-support/records.js'
import type { CallSkeleton, CdrRecord } from './record.js'

const dir = await mkdtemp(join(tmpdir(), 'softswitch-sink-bench-'))
const seconds = Number(process.env.SINK_BENCH_SECONDS ?? 6)

/**
 * Runs `rate` calls a second for `seconds` through a sink in role `append` (a worker's): each call is opened, answered
 * 100 ms later and ended 1 s after its start, as SIPp's 1 s calls are. `journal` false runs the same pacing without
 * the sink, to subtract the pacing's own CPU. CPU is the whole process's (every thread: the fsyncs run in libuv's pool).
 */
async function run(rate: number, journal: boolean): Promise<{ usPerCall: number; commitsPerCall: number }> {
  const random = seededRandom(7)
  const sink = journal ? await CdrSink.open({ dataDir: dir, dir: join(dir, `w-${rate}-${Date.now()}`), clock: new SystemClock(), log: silentLogger }) : null
  const startAt = performance.now()
  const total = Math.round(rate * seconds)
  const cdrs: CdrRecord[] = Array.from({ length: total }, (_, i) => realisticCdr(random, Date.now() + i))
  const skeletons: CallSkeleton[] = cdrs.map((c) => ({ id: c.id, callId: c.callId, startedAtMs: c.startedAtMs, caller: c.caller, callee: c.callee, accountId: c.accountId, mappingGatewayId: c.mappingGatewayId, sourceIp: c.sourceIp, sourcePort: c.sourcePort, nodeId: c.nodeId }))
  let started = 0
  let answered = 0
  let ended = 0
  const pending: Promise<void>[] = []
  let cpu0: NodeJS.CpuUsage | null = null
  let measuredFrom = 0
  let syncs0 = 0
  const syncs = (): number => (sink === null ? 0 : sink.journal.stats.syncs + sink.openCalls.stats.syncs)
  await new Promise<void>((done) => {
    const tick = (): void => {
      const t = performance.now() - startAt
      // Measure from the first second on, when calls start, answer and end at once.
      if (cpu0 === null && t >= 1000) {
        cpu0 = process.cpuUsage()
        measuredFrom = ended
        syncs0 = syncs()
      }
      const due = Math.min(total, Math.floor((t / 1000) * rate))
      while (started < due) {
        const i = started++
        if (sink !== null) pending.push(sink.onCallStarted(skeletons[i]!))
      }
      const dueAnswer = Math.min(started, Math.floor(((t - 100) / 1000) * rate))
      while (answered < dueAnswer) {
        const c = cdrs[answered++]!
        if (sink !== null) pending.push(sink.onCallAnswered(c.id, { answeredAtMs: c.answeredAtMs ?? c.startedAtMs, routingGatewayId: c.routingGatewayId, calleeOut: c.calleeOut, pddMs: c.pddMs }))
      }
      const dueEnd = Math.min(answered, Math.floor(((t - 1000) / 1000) * rate))
      while (ended < dueEnd) {
        const c = cdrs[ended++]!
        if (sink !== null) pending.push(sink.onCallEnded(c))
      }
      if (pending.length > 4096) void Promise.all(pending.splice(0))
      if (ended >= total - rate) return done()
      setTimeout(tick, 1)
    }
    tick()
  })
  await Promise.all(pending)
  const cpu = process.cpuUsage(cpu0!)
  const calls = ended - measuredFrom
  const commits = syncs() - syncs0
  await sink?.close(Date.now() + 1000)
  return { usPerCall: (cpu.user + cpu.system) / Math.max(1, calls), commitsPerCall: commits / Math.max(1, calls) }
}

try {
  for (const rate of [500, 1000]) {
    // Interleaved, best of two: the machine's other load moves CPU per call, rarely downwards.
    const idle: number[] = []
    const busy: number[] = []
    const commits: number[] = []
    for (let i = 0; i < 2; i++) {
      idle.push((await run(rate, false)).usPerCall)
      const r = await run(rate, true)
      busy.push(r.usPerCall)
      commits.push(r.commitsPerCall)
    }
    const best = Math.min(...busy) - Math.min(...idle)
    // Durable writes (both files) per call: each costs the kernel's flush, so fewer per call is the group commit's gain.
    const perCall = commits.reduce((a, b) => a + b, 0) / commits.length
    console.log(JSON.stringify({ name: `cdr sink of a worker, ${rate} calls/s (open, answer, end journaled)`, cpuUsPerCall: Math.round(best * 10) / 10, pacingUsPerCall: Math.round(Math.min(...idle) * 10) / 10, commitsPerCall: Math.round(perCall * 1000) / 1000 }))
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}
