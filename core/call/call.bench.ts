// Whole-call CPU cost through the B2BUA on the loop transport (run by `npm run bench` or `npx tsx core/call/call.bench.ts`): INVITE/100/180/200/ACK on both legs, BYE/200 on both legs, and the heap each ended call keeps while its transactions wait; prints JSON lines.
import { setFlagsFromString } from 'node:v8'
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
import { header, responseTo } from './test-support/bench-sip.js'

const N = Number(process.env.CALLS ?? 20_000)
const BATCH = 500
const params = systemParams.parse({})
const controller = benchController(params, 0)
let ended = 0
const clock = new ManualClock()
// Timers scheduled per call (transaction, dialog and call timers), reported beside the CPU cost.
let timers = 0
const after = clock.after.bind(clock)
clock.after = (ms, fn) => (timers++, after(ms, fn))
const net = new LoopNetwork({ clock, logPackets: false })
const metrics = new Metrics()
let ids = 0
const b2bua = new B2bua({
  log: silentLogger, metrics, supported: DEFAULT_VALIDATE_OPTIONS.supported, controller, newCdrId: () => String(++ids),
  observer: { onCallStarted: () => Promise.resolve(), onCallAnswered: () => Promise.resolve(), onCallEnded: () => (ended++, Promise.resolve()) },
})
const router = new RequestRouter({ log: silentLogger, metrics })
b2bua.register(router)
const layer = new TransactionLayer({ clock, user: router, metrics, autoTrying: false })
b2bua.attach(layer)
const core = net.open(layer, '127.0.0.1', 5060)


const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n'
let peerMs = 0
let branch = 0

/** Scripted peers cost CPU too; their time is measured and taken out of the result. */
function peer(address: string, port: number, on: (s: string, t: Transport) => void): Transport {
  return net.open({
    onMessage(buf: Buffer, _from: RemoteAddr, t: Transport) {
      const p0 = performance.now()
      on(buf.toString('latin1'), t)
      peerMs += performance.now() - p0
    },
  }, address, port)
}

function respond(t: Transport, s: string, status: string, extra: string, body = ''): void {
  t.send(responseTo(s, status, extra, body), core.local)
}

function inDialog(t: Transport, method: string, s: string, seq: number): void {
  const msg = `${method} sip:127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bKc${branch++};rport\r\nMax-Forwards: 70\r\n` +
    `From: ${header(s, 'From')}\r\nTo: ${header(s, 'To')}\r\nCall-ID: ${header(s, 'Call-ID')}\r\nCSeq: ${seq} ${method}\r\nContent-Length: 0\r\n\r\n`
  t.send(Buffer.from(msg, 'latin1'), core.local)
}

// The vendor: 180 + 200 with SDP to each INVITE, 200 to BYE.
peer('127.0.0.3', 5080, (s, t) => {
  if (s.startsWith('INVITE')) {
    respond(t, s, '180 Ringing', 'Contact: <sip:gw@127.0.0.3:5080>\r\n')
    respond(t, s, '200 OK', 'Contact: <sip:gw@127.0.0.3:5080>\r\nContent-Type: application/sdp\r\n', SDP)
  } else if (s.startsWith('BYE')) respond(t, s, '200 OK', '')
})
// The customer: ACK and BYE on the 200 to its INVITE.
const caller = peer('127.0.0.2', 5070, (s, t) => {
  if (s.startsWith('SIP/2.0 200') && header(s, 'CSeq') === '1 INVITE') {
    inDialog(t, 'ACK', s, 1)
    inDialog(t, 'BYE', s, 2)
  }
})

function invite(i: number): Buffer {
  return Buffer.from(
    `INVITE sip:+4930123456789@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bKinv${i};rport\r\nMax-Forwards: 70\r\n` +
      `From: <sip:+4921198765@127.0.0.2>;tag=f${i}\r\nTo: <sip:+4930123456789@127.0.0.1>\r\nCall-ID: call-${i}@127.0.0.2\r\nCSeq: 1 INVITE\r\n` +
      `Contact: <sip:c@127.0.0.2:5070>\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`, 'latin1')
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const invites = Array.from({ length: N }, (_, i) => invite(i))
gc()
const heap0 = process.memoryUsage().heapUsed
const cpu0 = process.cpuUsage()
const t0 = performance.now()
for (let i = 0; i < N; i += BATCH) {
  for (let j = i; j < Math.min(N, i + BATCH); j++) caller.send(invites[j]!, core.local)
  // Answers wait for the observer's promises (the durable answer): let microtasks run between deliveries.
  while (ended < Math.min(N, i + BATCH)) {
    clock.flush()
    if (net.inFlight === 0) await new Promise((ok) => setImmediate(ok))
  }
}
const wallMs = performance.now() - t0
const cpu = process.cpuUsage(cpu0)
// Every call has ended and the clock has not moved: each one's transactions still wait (Timers D, J, K, L, M).
gc()
const keptPerCall = Math.round((process.memoryUsage().heapUsed - heap0) / N)
clock.advance(60_000)
const coreUs = ((wallMs - peerMs) * 1000) / N
console.log(JSON.stringify({
  name: 'call: INVITE/180/200/ACK + BYE/200 on both legs through the B2BUA (loop transport, peers excluded)',
  opsPerSec: Math.round(1e6 / coreUs), usPerCall: Math.round(coreUs), n: N, ended, processCpuUsPerCall: Math.round((cpu.user + cpu.system) / N), timersPerCall: Math.round((timers / N) * 10) / 10,
  heapKeptPerEndedCallBytes: keptPerCall, liveAfter: { calls: b2bua.activeCalls, transactions: layer.size },
}))
