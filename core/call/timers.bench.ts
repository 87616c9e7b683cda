// Calls held with their timers armed (cap, warning, RFC 4028 session timers; signalling only) through the B2BUA on the loop transport: heap per held call, and the lateness of 10,000 calls' caps expiring at one instant on the real clock (run by `npm run bench`); prints JSON lines.
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { systemParams } from '../../shared/params/system-params.js'
import { ManualClock, SystemClock, type Clock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { DEFAULT_VALIDATE_OPTIONS } from '../sip/message/validate.js'
import { TransactionLayer } from '../sip/transaction/layer.js'
import { RequestRouter } from '../sip/ua/router.js'
import { LoopNetwork } from '../transport/loop.js'
import type { RemoteAddr, Transport } from '../transport/types.js'
import { B2bua } from './b2bua.js'
import { benchController } from './test-support/bench-controller.js'
import { answeringGateway, header, responseTo } from './test-support/bench-sip.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const HELD = Number(process.env.CALLS ?? 20_000)
const EXPIRING = 10_000
const params = systemParams.parse({ SS_CALLREMINTIME: 30 })


const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n'

/** B2BUA + layer on `clock`, a vendor answering 180/200 (Session-Expires refresher=uas: it refreshes) and a caller that ACKs. */
function bench(clock: Clock) {
  const controller = benchController(params, 3600)
  const net = new LoopNetwork(clock instanceof ManualClock ? { clock, logPackets: false } : { logPackets: false })
  const ended: number[] = []
  const b2bua = new B2bua({
    log: silentLogger, metrics: new Metrics(), supported: DEFAULT_VALIDATE_OPTIONS.supported, controller, newCdrId: (() => { let i = 0; return () => String(++i) })(),
    observer: { onCallStarted: () => Promise.resolve(), onCallAnswered: () => Promise.resolve(), onCallEnded: () => (ended.push(clock.now()), Promise.resolve()) },
  })
  const router = new RequestRouter({ log: silentLogger, metrics: new Metrics() })
  b2bua.register(router)
  const layer = new TransactionLayer({ clock, user: router, metrics: new Metrics(), autoTrying: false })
  b2bua.attach(layer)
  const core = net.open(layer, '127.0.0.1', 5060)
  const respond = (t: Transport, s: string, status: string, extra: string, body = ''): void => {
    t.send(responseTo(s, status, extra, body), core.local)
  }
  const peer = (address: string, port: number, on: (s: string, t: Transport) => void): Transport =>
    net.open({ onMessage: (buf: Buffer, _f: RemoteAddr, t: Transport) => on(buf.toString('latin1'), t) }, address, port)
  answeringGateway(net, '127.0.0.3', 5080, core.local, SDP, 'Session-Expires: 1800;refresher=uas\r\nRequire: timer\r\n')
  let branch = 0
  const caller = peer('127.0.0.2', 5070, (s, t) => {
    if (s.startsWith('SIP/2.0 200') && header(s, 'CSeq') === '1 INVITE') {
      const ack = `ACK sip:127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bKa${branch++};rport\r\nMax-Forwards: 70\r\n` +
        `From: ${header(s, 'From')}\r\nTo: ${header(s, 'To')}\r\nCall-ID: ${header(s, 'Call-ID')}\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n`
      t.send(Buffer.from(ack, 'latin1'), core.local)
    } else if (s.startsWith('BYE')) respond(t, s, '200 OK', '')
  })
  const invite = (i: number): Buffer => Buffer.from(
    `INVITE sip:+4930123456789@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bKinv${i};rport\r\nMax-Forwards: 70\r\n` +
      `From: <sip:+4921198765@127.0.0.2>;tag=f${i}\r\nTo: <sip:+4930123456789@127.0.0.1>\r\nCall-ID: call-${i}@127.0.0.2\r\nCSeq: 1 INVITE\r\n` +
      `Supported: timer\r\nSession-Expires: 1800\r\nContact: <sip:c@127.0.0.2:5070>\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`, 'latin1')
  return { net, b2bua, layer, caller, core, invite, ended }
}

// (1) Held calls: heap per call once the set-up transactions are gone (manual clock moved 40 s; caps and session guards still armed).
{
  const clock = new ManualClock()
  const s = bench(clock)
  gc()
  const before = process.memoryUsage().heapUsed
  for (let i = 0; i < HELD; i += 500) {
    for (let j = i; j < Math.min(HELD, i + 500); j++) s.caller.send(s.invite(j), s.core.local)
    // Answers wait for the observer's promises (the durable answer): let microtasks run until nothing is in flight.
    do {
      while (s.net.inFlight > 0) clock.flush()
      await new Promise((ok) => setImmediate(ok))
    } while (s.net.inFlight > 0)
  }
  clock.advance(40_000)
  gc()
  if (process.env.HEAP_SNAPSHOT !== undefined) writeHeapSnapshot(process.env.HEAP_SNAPSHOT)
  const after = process.memoryUsage().heapUsed
  console.log(JSON.stringify({
    name: 'call timers: calls held with cap, warning and session timers armed (signalling only, loop transport)',
    held: s.b2bua.activeCalls, heapBytesPerCall: Math.round((after - before) / HELD), rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    timersPending: clock.pending, transactionsLeft: s.layer.size,
  }))
}

// (2) 10,000 calls whose caps expire at one instant on the real clock: lateness of the cap handler, and of the last CDR.
{
  const clock = new SystemClock({ unref: true })
  const s = bench(clock)
  for (let i = 0; i < EXPIRING; i += 500) {
    for (let j = i; j < Math.min(EXPIRING, i + 500); j++) s.caller.send(s.invite(j), s.core.local)
    while (s.net.inFlight > 0) await new Promise((ok) => setImmediate(ok))
  }
  const calls = s.b2bua.calls()
  const at = clock.now() + 500
  const late: number[] = []
  // The same heap entry armDuration makes, due at one shared instant; the callback is the call's own cap handler.
  for (const c of calls) clock.after(at - clock.now(), () => (late.push(clock.now() - at), c.onDurationExceeded()))
  await new Promise((ok) => setTimeout(ok, 3000))
  late.sort((a, b) => a - b)
  const q = (p: number): number => Math.round(late[Math.min(late.length - 1, Math.floor(p * late.length))]! * 100) / 100
  console.log(JSON.stringify({
    name: 'call timers: lateness of 10,000 caps expiring at one instant (SystemClock; handler = BYE both legs + CDR)',
    calls: calls.length, fired: late.length, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1), lastCdrLateMs: Math.round(((s.ended.at(-1) ?? at) - at) * 100) / 100,
    usPerCapHandled: Math.round((q(1) * 1000) / Math.max(1, late.length)), ended: s.ended.length,
  }))
  clock.stop()
}
process.exit(0)
