// Cost of a datagram above the kernel's syscall (run by `npm run bench`): CPU and heap bytes per datagram sent and received over loopback through node:dgram and UdpTransport, and per frame through the mesh (both ends in this process). JSON lines { name, nsPerOp, cpuUsPerOp, bytesPerOp } (best of several rounds; bytes only from rounds without a collection).
import dgram from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import v8 from 'node:v8'
import { INVITE } from '../sip/message/test-support/bench-messages.js'
import { Mesh } from './mesh.js'
import type { RemoteAddr } from './types.js'
import { openUdpTransport } from './udp.js'

/** Datagrams per turn (a worker at 2,500 calls/s handles a few per turn). */
const PER_TURN = 4
/** Few enough that the received datagrams' memory outside the heap starts no collection. */
const TURNS = 400
const ROUNDS = 8

let received = 0
let want = 0
let arrived: (() => void) | null = null
const count = (): void => {
  if (++received >= want && arrived !== null) {
    arrived()
    arrived = null
  }
}
const all = (n: number): Promise<void> | undefined => {
  want = n
  return received >= n ? undefined : new Promise((ok) => (arrived = ok))
}

/** Sends PER_TURN × TURNS datagrams with `send`, each turn waiting until all arrived; CPU and heap bytes per datagram, best of ROUNDS. */
async function run(name: string, send: () => void): Promise<void> {
  let best: { ns: number; us: number } | null = null
  let minBytes = Infinity
  for (let r = 0; r < ROUNDS + 1; r++) {
    received = 0
    const gc = new v8.GCProfiler()
    gc.start()
    const h0 = process.memoryUsage().heapUsed
    const c0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    for (let t = 0; t < TURNS; t++) {
      for (let i = 0; i < PER_TURN; i++) send()
      await all((t + 1) * PER_TURN)
    }
    const ns = Number(process.hrtime.bigint() - t0)
    const c = process.cpuUsage(c0)
    const bytes = process.memoryUsage().heapUsed - h0
    const gcs = gc.stop()?.statistics.length ?? 0
    const n = TURNS * PER_TURN
    if (received !== n) throw new Error(`${name}: ${received} of ${n} arrived`)
    // The first round warms up; a round with a collection in it cannot count its bytes.
    if (r === 0) continue
    if (gcs === 0) minBytes = Math.min(minBytes, bytes / n)
    if (best === null || (c.user + c.system) / n < best.us) best = { ns: ns / n, us: (c.user + c.system) / n }
  }
  console.log(JSON.stringify({
    name, nsPerOp: Math.round(best!.ns), cpuUsPerOp: Math.round(best!.us * 100) / 100,
    bytesPerOp: minBytes === Infinity ? null : Math.round(minBytes),
  }))
}

const bind = (s: dgram.Socket): Promise<number> => new Promise((ok) => s.bind(0, '127.0.0.1', () => ok(s.address().port)))
const sink = dgram.createSocket('udp4')
sink.on('message', count)
const sinkPort = await bind(sink)
const raw = dgram.createSocket('udp4')
await bind(raw)
const noop = (): void => {}
const user = { onMessage: count }
const ut = await openUdpTransport({ host: '127.0.0.1', port: 0, user: { onMessage: noop } })
const rt = await openUdpTransport({ host: '127.0.0.1', port: 0, user })
const sinkAddr: RemoteAddr = { address: '127.0.0.1', port: sinkPort, family: 'IPv4' }

const dir = mkdtempSync(join(tmpdir(), 'udp-bench-'))
const m1 = await Mesh.listen({ dir, self: 1, onFrame: count })
const m0 = await Mesh.listen({ dir, self: 0, onFrame: noop })
const source: RemoteAddr = { address: '203.0.113.10', port: 5060, family: 'IPv4' }

if (process.execArgv.every((a) => !a.startsWith('--max-semi-space-size'))) {
  console.log('bytes per datagram need semi-spaces no round fills: node --max-semi-space-size=256 --import tsx core/transport/udp.bench.ts')
}
try {
  for (let i = 0; i < 2; i++) {
    await run('dgram: send with a callback, raw receive', () => raw.send(INVITE, sinkPort, '127.0.0.1', noop))
    await run('dgram: send without a callback, raw receive', () => raw.send(INVITE, sinkPort, '127.0.0.1'))
    await run('UdpTransport.send, raw receive', () => ut.send(INVITE, sinkAddr))
    await run('dgram send without a callback, UdpTransport receive', () => raw.send(INVITE, rt.local.port, '127.0.0.1'))
    await run('mesh: deliver frames to the other end (both ends here)', () => m0.send(1, 'deliver', 'UDP', source, INVITE))
  }
} finally {
  await Promise.all([ut.close(), rt.close(), m0.close(), m1.close()])
  sink.close()
  raw.close()
  rmSync(dir, { recursive: true, force: true })
}
