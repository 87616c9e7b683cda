// Cost of handing a datagram to its owner over the mesh (run by `npm run bench`): CPU per forwarded datagram on the sending worker (routing key, dispatch, framing, write) and on the receiving one (a forked process: read, unframing, hand-over), paced as a worker's turns are and flat out. JSON lines { name, opsPerSec, nsPerOp, senderCpuUsPerFrame, receiverCpuUsPerFrame, framesPerWrite }.
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Metrics } from '../lib/metrics.js'
import { setIdMark } from '../sip/message/build.js'
import { BYE, INVITE, OK200 } from '../sip/message/test-support/bench-messages.js'
import { WorkerDispatch } from '../sip/ua/worker-dispatch.js'
import { BATCH_MS, Mesh } from './mesh.js'
import type { RemoteAddr, Transport } from './types.js'

const SOURCE: RemoteAddr = { address: '203.0.113.10', port: 5060, family: 'IPv4' }
const UDP = { protocol: 'UDP' } as Transport

/** Datagrams the kernel gave worker 0 that worker 1 owns: a new INVITE by its Call-ID, a BYE by its To tag, a 200 by its Via branch. */
function owned(by: number): Buffer[] {
  // Identifiers carry their minter's mark first (build.ts): rewrite the bench messages' tag and branch to name worker `by`.
  const mark = by.toString(36)
  const bye = Buffer.from(BYE.toString('latin1').replace(';tag=1a6c85cf0e2b7d41', `;tag=${mark}a6c85cf0e2b7d41`), 'latin1')
  const ok = Buffer.from(OK200.toString('latin1').replace('branch=z9hG4bK776', `branch=z9hG4bK${mark}76`), 'latin1')
  // A Call-ID that hashes to worker `by` of 2.
  let invite = INVITE
  for (let i = 0; ; i++) {
    const m = Buffer.from(INVITE.toString('latin1').replace('a84b4c76e66710-3f2a9c', `a84b4c76e66710-${i}`), 'latin1')
    const d = new WorkerDispatch({ self: 9, workers: 2, local: { onMessage() {} }, forward: () => {}, metrics: new Metrics() })
    if (d.ownerOf(m) === by) {
      invite = m
      break
    }
  }
  return [invite, bye, ok]
}

function peerUsage(child: ChildProcess): Promise<{ us: number; frames: number }> {
  return new Promise((ok) => {
    const on = (m: { t: string; usage?: NodeJS.CpuUsage; frames?: number }): void => {
      if (m.t !== 'cpu') return
      child.off('message', on)
      ok({ us: m.usage!.user + m.usage!.system, frames: m.frames! })
    }
    child.on('message', on)
    child.send({ t: 'cpu' })
  })
}

const tick = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms))
const turn = (): Promise<void> => new Promise((ok) => setImmediate(ok))

setIdMark(0)
const dir = mkdtempSync(join(tmpdir(), 'mesh-bench-'))
const metrics = new Metrics()
const child = fork(fileURLToPath(new URL('./test-support/mesh-peer.ts', import.meta.url)), [dir], { execArgv: ['--import', 'tsx'] })
await new Promise<void>((ok, fail) => {
  child.once('message', () => ok())
  child.once('exit', (code) => fail(new Error(`the peer exited (${code})`)))
})
let mesh = await Mesh.listen({ dir, self: 0, onFrame: () => {}, metrics })
const local = { onMessage(): void { throw new Error('the bench datagrams are all worker 1\'s') } }
const dispatch = new WorkerDispatch({
  self: 0, workers: 2, local, metrics,
  forward: (owner, buf, remote, transport) => mesh.send(owner, 'deliver', transport.protocol, remote, buf),
})
const datagrams = owned(1)

/** Counter value from the sender's metrics. */
async function counter(name: string): Promise<number> {
  const m = new RegExp(`^softswitch_${name} (\\d+)`, 'm').exec(await metrics.render())
  return m === null ? 0 : Number(m[1])
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4))
/** Asleep for `us` µs (in the kernel, as an idle worker between datagrams), timers and I/O waiting. */
function nap(us: number): void {
  Atomics.wait(SLEEPER, 0, 0, us / 1000)
}

/** Busy for `us` µs, as a worker handling its other datagrams. */
function work(us: number): void {
  const until = process.hrtime.bigint() + BigInt(Math.round(us * 1000))
  while (process.hrtime.bigint() < until);
}

/**
 * `perTurn` datagrams handed over in each of `turns` turns; between turns the sender sleeps `pause.sleepMs` in its
 * event loop or `pause.napUs` outside it (both workers idle, as at a moderate call rate), or works `pause.workUs` (a
 * busy sender, the receiver idle), or only yields (both busy). The sender's cost of the same loop without datagrams is subtracted.
 */
async function run(name: string, turns: number, perTurn: number, pause: { sleepMs?: number; workUs?: number; napUs?: number }): Promise<void> {
  const loop = async (send: boolean): Promise<{ us: number; ns: number }> => {
    const c0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    for (let t = 0; t < turns; t++) {
      if (send) for (let i = 0; i < perTurn; i++) dispatch.onMessage(datagrams[(t * perTurn + i) % datagrams.length]!, SOURCE, UDP)
      if (pause.workUs !== undefined) work(pause.workUs)
      if (pause.napUs !== undefined) nap(pause.napUs)
      if (pause.sleepMs !== undefined) await tick(pause.sleepMs)
      else await turn()
    }
    const c = process.cpuUsage(c0)
    return { us: c.user + c.system, ns: Number(process.hrtime.bigint() - t0) }
  }
  const idle = await loop(false)
  const p0 = await peerUsage(child)
  const w0 = await counter('worker_mesh_writes_total')
  const busy = await loop(true)
  const frames = turns * perTurn
  const deadline = Date.now() + 10_000
  let p1 = await peerUsage(child)
  while (p1.frames - p0.frames < frames && Date.now() < deadline) {
    await tick(5)
    p1 = await peerUsage(child)
  }
  if (p1.frames - p0.frames !== frames) throw new Error(`${name}: ${p1.frames - p0.frames} of ${frames} frames arrived`)
  const writes = (await counter('worker_mesh_writes_total')) - w0
  console.log(JSON.stringify({
    name: `${name}, writes ${mesh.batchMs} ms apart at most`, opsPerSec: Math.round((frames * 1e9) / busy.ns), nsPerOp: Math.round(busy.ns / frames),
    senderCpuUsPerFrame: Math.round(((busy.us - idle.us) / frames) * 100) / 100,
    receiverCpuUsPerFrame: Math.round(((p1.us - p0.us) / frames) * 100) / 100,
    framesPerWrite: writes > 0 ? Math.round((frames / writes) * 10) / 10 : null,
  }))
}

try {
  await run('mesh warm-up', 2_000, 1, {})
  for (const batchMs of [0, BATCH_MS, 0, BATCH_MS]) {
    await mesh.close()
    mesh = await Mesh.listen({ dir, self: 0, onFrame: () => {}, metrics, batchMs })
    await run('mesh: 1 datagram per turn, 1 ms apart (both workers wake for each)', 1_000, 1, { sleepMs: 1 })
    await run('mesh: 1 datagram per turn, 0.5 ms apart (both workers idle in between)', 3_000, 1, { napUs: 500 })
    await run('mesh: 1 datagram per turn, 0.25 ms apart (both workers idle in between)', 4_000, 1, { napUs: 250 })
    await run('mesh: 1 datagram per turn, 0.25 ms of other work apart (the receiver idle)', 4_000, 1, { workUs: 250 })
    await run('mesh: 1 datagram per turn, flat out (both workers busy)', 20_000, 1, {})
    await run('mesh: 8 datagrams per turn, flat out', 3_000, 8, {})
  }
} finally {
  await mesh.close()
  child.disconnect()
  await new Promise((ok) => (child.exitCode === null ? child.once('exit', ok) : ok(null)))
  rmSync(dir, { recursive: true, force: true })
}
