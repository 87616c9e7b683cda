// Sends over UdpTransport in a process started with --test-udp-no-try-send (libuv queues every send, as when the socket's buffer is full): one datagram that arrives, one too large; prints what arrived and what failed as JSON.
import { Metrics } from '../../lib/metrics.js'
import type { TransportFailure } from '../types.js'
import { openUdpTransport } from '../udp.js'

const metrics = new Metrics()
let received = 0
const failures: string[] = []
const a = await openUdpTransport({ host: '127.0.0.1', port: 0, user: { onMessage() {} }, metrics })
const b = await openUdpTransport({ host: '127.0.0.1', port: 0, user: { onMessage: () => received++ } })
a.send(Buffer.from('queued'), b.local)
a.send(Buffer.alloc(70_000), b.local, { onSendError: (f: TransportFailure) => failures.push(f.code) })
a.send(Buffer.alloc(70_000), b.local)
const deadline = Date.now() + 2_000
while ((received < 1 || failures.length < 1 || (metrics.get('sip_transport_send_errors_total')?.get('udp') ?? 0) < 2) && Date.now() < deadline) {
  await new Promise((ok) => setTimeout(ok, 5))
}
console.log(JSON.stringify({ received, failures, sendErrors: metrics.get('sip_transport_send_errors_total')?.get('udp') ?? 0 }))
await Promise.all([a.close(), b.close()])
