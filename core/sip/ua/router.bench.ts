// OPTIONS through the whole stack above the socket (parse, validate, NIST, request router, OPTIONS answerer, serialize) into a discarding transport (`npm run bench`); prints JSON lines.
import { ManualClock } from '../../lib/clock.js'
import { silentLogger } from '../../lib/log.js'
import { Metrics } from '../../lib/metrics.js'
import type { RemoteAddr, Transport } from '../../transport/types.js'
import { DEFAULT_VALIDATE_OPTIONS } from '../message/validate.js'
import { TransactionLayer } from '../transaction/layer.js'
import { OptionsAnswerer } from './options.js'
import { RequestRouter } from './router.js'

const N = 20_000
const clock = new ManualClock()
const metrics = new Metrics()
const router = new RequestRouter({ log: silentLogger, metrics })
router.handle('OPTIONS', new OptionsAnswerer({ allow: () => router.allow, supported: DEFAULT_VALIDATE_OPTIONS.supported, accept: ['application/sdp'] }))
const layer = new TransactionLayer({ clock, user: router, metrics, validate: { localHosts: ['127.0.0.1'] } })
// A transport that drops what it is given, so the figure is our code alone (the kernel's sendto is measured by the SIPp bench).
const uas: Transport = {
  protocol: 'UDP', reliable: false, local: { address: '127.0.0.1', port: 5060, family: 'IPv4' },
  send: () => {},
  close: () => Promise.resolve(),
}
const peer: { local: RemoteAddr } = { local: { address: '127.0.0.2', port: 5060, family: 'IPv4' } }

/** The OPTIONS SIPp's uac-options-expect-200.xml sends. */
function options(i: number): Buffer {
  return Buffer.from(
    `OPTIONS sip:127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-bench-${i};rport\r\nMax-Forwards: 70\r\n` +
      `From: <sip:sipp@127.0.0.2:5060>;tag=${i}SIPpTag00${i}\r\nTo: <sip:127.0.0.1:5060>\r\nCall-ID: ${i}-bench@127.0.0.2\r\n` +
      `CSeq: 1 OPTIONS\r\nContact: <sip:sipp@127.0.0.2:5060>\r\nAccept: application/sdp\r\nContent-Length: 0\r\n\r\n`,
  )
}

// Rounds of N with Timer J run between them (so live transactions stay bounded, as at a steady rate); the best round
// counts, measured in CPU time so other processes on the machine skew it less than wall time would.
let best = Infinity
for (let round = 0; round < 8; round++) {
  const datagrams = Array.from({ length: N }, (_, i) => options(round * N + i))
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < N; i++) layer.onMessage(datagrams[i]!, peer.local, uas)
  const cpu = process.cpuUsage(cpu0)
  clock.advance(40_000)
  if (round >= 2) best = Math.min(best, ((cpu.user + cpu.system) * 1e3) / N)
}
console.log(JSON.stringify({ name: 'OPTIONS -> 200 through layer + router (no socket, CPU time)', opsPerSec: Math.round(1e9 / best), nsPerOp: Math.round(best), liveAfter: layer.size }))
