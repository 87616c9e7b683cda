// Relayed RTP streams per core at zero loss (run by `npm run bench`): N relays in this process, a generator child process sending 50 pps each way per stream; N steps up until a step loses a packet or delivers one more than 100 ms late. Prints JSON lines.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { SystemClock } from '../lib/clock.js'
import { PortPool } from './port-pool.js'
import { RtpRelay } from './rtp-relay.js'

const STEP_MS = Number(process.env.RTP_BENCH_STEP_MS ?? 4000)
const STEPS = (process.env.RTP_BENCH_STEPS ?? '100,250,500,750,1000,1500,2000,3000').split(',').map(Number)
/** Sockets per side in the generator; streams share them (the SSRC tells streams apart, latching follows the source). */
const GEN_SOCKETS = 64

/** The generator (plain JS, its own process so its CPU is not the relay's): binds sockets, then sends and counts. */
const GENERATOR = `
const dgram = require('node:dgram')
let socks = { a: [], b: [] }, got = { a: 0, b: 0 }, sent = { a: 0, b: 0 }, late = 0, hist = new Uint32Array(1001), t0 = 0
const { performance } = require('node:perf_hooks')
// Each packet carries its send time (0.1 ms units) in the RTP timestamp field; one later than LATE_MS counts as lost (a jitter buffer drops it).
const LATE_MS = 100
process.on('message', async (m) => {
  if (m.kind === 'bind') {
    for (const side of ['a', 'b']) for (let i = 0; i < m.sockets; i++) {
      const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 })
      s.on('message', (p) => {
        got[side === 'a' ? 'b' : 'a']++
        const d = (performance.now() - t0) - p.readUInt32BE(4) / 10
        if (d > LATE_MS) late++
        hist[Math.min(1000, Math.max(0, Math.floor(d)))]++
      })
      await new Promise((ok) => s.bind(0, '127.0.0.1', ok))
      socks[side].push(s)
    }
    process.send({ kind: 'bound', a: socks.a.map((s) => s.address().port), b: socks.b.map((s) => s.address().port) })
  } else if (m.kind === 'run') {
    got = { a: 0, b: 0 }; sent = { a: 0, b: 0 }; late = 0; hist.fill(0); t0 = performance.now()
    const n = m.streams.length, start = Date.now()
    // 50 pps per stream and direction: each 2 ms tick sends what the schedule owes by now, streams in turn.
    const due = (ms) => Math.floor((n * 50 * Math.min(ms, m.durationMs)) / 1000)
    let i = 0, k = 0
    await new Promise((ok) => {
      const t = setInterval(() => {
        const ms = Date.now() - start
        for (let owed = due(ms); k < owed; k++) {
          const st = m.streams[i]
          // A buffer per packet: dgram sends after a tick, so a shared one would carry the last stamp.
          const pkt = Buffer.alloc(172)
          pkt[0] = 0x80
          pkt.writeUInt16BE(k & 0xffff, 2); pkt.writeUInt32BE(Math.round((performance.now() - t0) * 10), 4); pkt.writeUInt32BE(i, 8)
          socks.a[i % socks.a.length].send(pkt, st.a, '127.0.0.1'); sent.a++
          socks.b[i % socks.b.length].send(pkt, st.b, '127.0.0.1'); sent.b++
          i = (i + 1) % n
        }
        if (ms >= m.durationMs) { clearInterval(t); ok() }
      }, 2)
    })
    // Drain: wait until nothing more arrives for 300 ms (at most 5 s), so a slow receiver is not counted as loss.
    for (let last = -1, waited = 0; got.a + got.b !== last && waited < 5000; waited += 300) {
      last = got.a + got.b
      await new Promise((ok) => setTimeout(ok, 300))
    }
    const cpu = process.cpuUsage()
    const total = got.a + got.b
    const q = (f) => { let c = 0; for (let i = 0; i <= 1000; i++) { c += hist[i]; if (c >= f * total) return i } return 1000 }
    process.send({ kind: 'done', sent, got, late, p50Ms: q(0.5), p99Ms: q(0.99), cpuMs: (cpu.user + cpu.system) / 1000 })
  } else if (m.kind === 'exit') process.exit(0)
})
`

const child = spawn(process.execPath, ['-e', GENERATOR], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
const next = (): Promise<any> => new Promise((ok) => child.once('message', ok))
child.send({ kind: 'bind', sockets: GEN_SOCKETS })
const gen = (await next()) as { a: number[]; b: number[] }

/** Kernel UDP receive-buffer drops so far (/proc/net/snmp RcvbufErrors): says whether loss was a full socket buffer. */
function rcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'))
  const keys = lines[0]?.split(/\s+/) ?? []
  const vals = lines[1]?.split(/\s+/) ?? []
  return Number(vals[keys.indexOf('RcvbufErrors')] ?? 0)
}

const clock = new SystemClock({ unref: true })
const pool = new PortPool(20000, 59999)
let best = 0
let genCpuBefore = 0
let usPerPacketLast = 0
let errors = 0
let lastError = ''
for (const n of STEPS) {
  if (2 * n > pool.capacity) break
  const relays: RtpRelay[] = []
  for (let i = 0; i < n; i++) {
    const r = RtpRelay.open({ pool, host: '127.0.0.1', clock, onError: (e) => {
      errors++
      lastError = e.message
    } })!
    r.setPeer('a', { address: '127.0.0.1', port: gen.a[i % gen.a.length]! })
    r.setPeer('b', { address: '127.0.0.1', port: gen.b[i % gen.b.length]! })
    relays.push(r)
  }
  await Promise.all(relays.map((r) => r.ready))
  const drops0 = rcvbufErrors()
  const cpu0 = process.cpuUsage()
  child.send({ kind: 'run', durationMs: STEP_MS, streams: relays.map((r) => ({ a: r.localPort('a'), b: r.localPort('b') })) })
  const res = (await next()) as { sent: { a: number; b: number }; got: { a: number; b: number }; late: number; p50Ms: number; p99Ms: number; cpuMs: number }
  const genCpuMs = res.cpuMs - genCpuBefore
  genCpuBefore = res.cpuMs
  const cpu = process.cpuUsage(cpu0)
  const relayCpuMs = (cpu.user + cpu.system) / 1000
  const sent = res.sent.a + res.sent.b
  const got = res.got.a + res.got.b
  const relayed = relays.reduce((s, r) => { const st = r.stats(); return s + st.aToB.packets + st.bToA.packets }, 0)
  const kernelDrops = rcvbufErrors() - drops0
  for (const r of relays) r.close()
  const lost = sent - got + res.late
  const line = {
    name: `rtp relay: ${n} streams (50 pps each way)`, streams: n, sent, lost, lossRatio: Math.round((lost / sent) * 1e6) / 1e6,
    late: res.late, delayP50Ms: res.p50Ms, delayP99Ms: res.p99Ms, lostBeforeRelay: sent - relayed, lostAfterRelay: relayed - got,
    kernelRcvbufDrops: kernelDrops, socketErrors: errors, lastError,
    // CPU over the offered window (STEP_MS): 100% = the relay used a whole core to keep up.
    relayCpuPctOfStep: Math.round((relayCpuMs / STEP_MS) * 1000) / 10, generatorCpuPctOfStep: Math.round((genCpuMs / STEP_MS) * 1000) / 10,
    usPerPacket: relayed === 0 ? null : Math.round((relayCpuMs * 1000 / relayed) * 100) / 100,
  }
  console.log(JSON.stringify(line))
  usPerPacketLast = line.usPerPacket ?? usPerPacketLast
  if (lost > 0) break
  best = n
}
console.log(JSON.stringify({
  name: 'rtp relay: streams per core at zero loss', streams: best,
  // What one core would carry if the relay had it alone: 100 packets/s per stream (50 each way) at the last step's CPU per packet.
  cpuBoundStreamsPerCore: usPerPacketLast > 0 ? Math.floor(1e6 / (usPerPacketLast * 100)) : null,
  note: 'relay in one JS thread; the generator is a separate process sharing the box, so the highest step is bounded by both',
}))
child.send({ kind: 'exit' })
