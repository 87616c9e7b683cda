// Calls in progress through the B2BUA on the loop transport: live heap per answered call by kind from two heap snapshots (every set-up wait pending), then a rolling run of calls up about 1 s each for scavenges per call (run by `npm run bench` or `npx tsx core/call/in-progress.bench.ts`); prints JSON lines.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks'
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { systemParams } from '../../shared/params/system-params.js'
import { ManualClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { DEFAULT_VALIDATE_OPTIONS } from '../sip/message/validate.js'
import { TransactionLayer } from '../sip/transaction/layer.js'
import { RequestRouter } from '../sip/ua/router.js'
import { LoopNetwork } from '../transport/loop.js'
import type { RemoteAddr, Transport } from '../transport/types.js'
import { B2bua } from './b2bua.js'
import { benchController } from './test-support/bench-controller.js'
import { answeringGateway, header } from './test-support/bench-sip.js'
import { heapGrowthByKind } from './test-support/heap-by-kind.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const N = Number(process.env.CALLS ?? 5_000)
const clock = new ManualClock()
const net = new LoopNetwork({ clock, logPackets: false })
const b2bua = new B2bua({
  log: silentLogger, metrics: new Metrics(), supported: DEFAULT_VALIDATE_OPTIONS.supported, controller: benchController(systemParams.parse({}), 0),
  newCdrId: (() => { let i = 0; return () => String(++i) })(),
  observer: { onCallStarted: () => Promise.resolve(), onCallAnswered: () => Promise.resolve(), onCallEnded: () => Promise.resolve() },
})
const router = new RequestRouter({ log: silentLogger, metrics: new Metrics() })
b2bua.register(router)
const layer = new TransactionLayer({ clock, user: router, metrics: new Metrics(), autoTrying: false })
b2bua.attach(layer)
const core = net.open(layer, '127.0.0.1', 5060)


const SDP = 'v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n'
const peer = (address: string, port: number, on: (s: string, t: Transport) => void): Transport =>
  net.open({ onMessage: (buf: Buffer, _f: RemoteAddr, t: Transport) => on(buf.toString('latin1'), t) }, address, port)
// The vendor: 180 and 200 with SDP, 200 to BYE.
answeringGateway(net, '127.0.0.3', 5080, core.local, SDP)
let branch = 0
/** From, To and Call-ID of each answered call (by its number), for the caller's BYE in the rolling run. */
const dialogs: Array<string | undefined> = []
let ended = 0
// The caller (SIPp uac-like): ACKs the 200 and stays in the call.
const caller = peer('127.0.0.2', 5070, (s, t) => {
  if (s.startsWith('SIP/2.0 200') && header(s, 'CSeq') === '2 BYE') ended++
  else if (s.startsWith('SIP/2.0 200') && header(s, 'CSeq') === '1 INVITE') {
    if (rolling) dialogs[Number.parseInt(header(s, 'Call-ID'), 10)] = `From: ${header(s, 'From')}\r\nTo: ${header(s, 'To')}\r\nCall-ID: ${header(s, 'Call-ID')}\r\n`
    const ack = `ACK sip:service@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bKa${branch++}\r\nFrom: ${header(s, 'From')}\r\n` +
      `To: ${header(s, 'To')}\r\nCall-ID: ${header(s, 'Call-ID')}\r\nCSeq: 1 ACK\r\nContact: sip:sipp@127.0.0.2:5070\r\nMax-Forwards: 70\r\nSubject: Performance Test\r\nContent-Length: 0\r\n\r\n`
    t.send(Buffer.from(ack, 'latin1'), core.local)
  }
})
const invite = (i: number): Buffer => Buffer.from(
  `INVITE sip:+4930123456789@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-${i}-1-0\r\nFrom: sipp <sip:+4921198765@127.0.0.2:5070>;tag=${i}SIPpTag00${i}\r\n` +
    `To: <sip:+4930123456789@127.0.0.1:5060>\r\nCall-ID: ${i}-1@127.0.0.2\r\nCSeq: 1 INVITE\r\nContact: sip:sipp@127.0.0.2:5070\r\nMax-Forwards: 70\r\n` +
    `Subject: Performance Test\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`, 'latin1')

let rolling = false
const dir = mkdtempSync(join(tmpdir(), 'in-progress-'))
// A few calls first, so what is made once (code, shapes, the layer's tables' first slots) is in both snapshots.
async function run(from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 500) {
    for (let j = i; j < Math.min(to, i + 500); j++) caller.send(invite(j), core.local)
    // Answers wait for the observer's promises (the durable answer): let microtasks run until nothing is in flight.
    do {
      while (net.inFlight > 0) clock.flush()
      await new Promise((ok) => setImmediate(ok))
    } while (net.inFlight > 0)
  }
}
await run(0, 200)
gc()
const before = writeHeapSnapshot(join(dir, 'before.heapsnapshot'))
const heap0 = process.memoryUsage().heapUsed
await run(200, 200 + N)
gc()
const heapPerCall = Math.round((process.memoryUsage().heapUsed - heap0) / N)
const after = writeHeapSnapshot(join(dir, 'after.heapsnapshot'))
const growth = heapGrowthByKind(before, after, N, Number(process.env.TOP ?? 40))
if (process.env.KEEP_SNAPSHOTS === undefined) rmSync(dir, { recursive: true }); else console.log(after)
console.log(JSON.stringify({
  name: 'calls in progress: live heap per answered call, all set-up waits pending (loop transport, heap snapshots)',
  inProgress: b2bua.activeCalls, transactions: layer.size, heapUsedPerCallBytes: heapPerCall, liveHeapObjectsPerCallBytes: growth.jsHeap, withOffHeapBytes: growth.total,
}))
if (process.env.BY_KIND !== undefined) for (const r of growth.rows) console.log(`${String(r.bytes).padStart(6)} B ${String(r.count).padStart(6)}x  ${r.kind}`)

// (2) Rolling: calls set up in batches of 250, each ended by the caller's BYE once WINDOW later calls have started (about
// 1 s at 1,250 calls/s, a worker's share at 2,500 for the node); the clock moves 200 ms per batch, so the set-up waits
// end as on the wire. Scavenge and mark-compact pauses per call from the process's GC entries.
{
  const M = Number(process.env.ROLLING_CALLS ?? 40_000)
  const WINDOW = 1_250
  const first = 200 + N
  rolling = true
  for (const c of b2bua.calls()) c.terminate('SystemShutdown')
  clock.advance(60_000)
  const pauses = { minor: 0, major: 0, nMinor: 0 }
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) (pauses.minor += e.duration), pauses.nMinor++
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) pauses.major += e.duration
    }
  })
  obs.observe({ entryTypes: ['gc'] })
  // Run with --trace-gc-nvp to read what each scavenge copied (semi_space_copied, promoted) after this line.
  console.log('# rolling run starts')
  const ended0 = ended
  let byes = first
  const cpu0 = process.cpuUsage()
  for (let i = first; i < first + M; i += 250) {
    for (let j = i; j < Math.min(first + M, i + 250); j++) caller.send(invite(j), core.local)
    for (; byes < i - WINDOW; byes++) {
      const d = dialogs[byes]
      if (d === undefined) continue
      dialogs[byes] = undefined
      caller.send(Buffer.from(`BYE sip:+4930123456789@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bKb${byes}\r\n${d}CSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`, 'latin1'), core.local)
    }
    do {
      while (net.inFlight > 0) clock.flush()
      await new Promise((ok) => setImmediate(ok))
    } while (net.inFlight > 0)
    clock.advance(200)
  }
  const cpu = process.cpuUsage(cpu0)
  await new Promise((ok) => setImmediate(ok))
  obs.disconnect()
  const done = ended - ended0
  console.log(JSON.stringify({
    name: `calls in progress, rolling: ${WINDOW} calls up at a time, each ended by BYE (loop transport, peers included)`,
    completed: done, cpuUsPerCompletedCall: Math.round((cpu.user + cpu.system) / done), scavengesPerKCalls: Math.round((pauses.nMinor / done) * 1000),
    scavengeUsPerCall: Math.round((pauses.minor * 1000) / done * 10) / 10, markCompactUsPerCall: Math.round((pauses.major * 1000) / done * 10) / 10,
  }))
}
process.exit(0)
