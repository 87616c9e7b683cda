// Transaction-layer throughput (run by `npm run bench` or `npx tsx core/sip/transaction/layer.bench.ts`); prints JSON lines.
import { ManualClock } from '../../lib/clock.js'
import { LoopNetwork } from '../../transport/loop.js'
import { buildResponse } from '../message/build.js'
import { TransactionLayer } from './layer.js'
import type { ServerTransactionUser } from './types.js'

const N = 50_000
const clock = new ManualClock()
const net = new LoopNetwork({ clock, logPackets: false })
const user: ServerTransactionUser = {
  onRequest: (req, tx) => void tx.respond(buildResponse(req, 486, { toTag: 'b' })),
  onAck: () => {},
  onCancel: () => {},
  onStray2xx: () => {},
  onServerFailure: () => {},
}
const layer = new TransactionLayer({ clock, user })
const uas = net.open(layer, '127.0.0.1', 5060)
const peer = net.open({ onMessage: () => {} }, '127.0.0.2', 5060)

function request(method: string, i: number): Buffer {
  return Buffer.from(
    `${method} sip:+4930123456789@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKbench${i};rport\r\nMax-Forwards: 70\r\n` +
      `From: <sip:+4921198765@127.0.0.2>;tag=f${i}\r\nTo: <sip:+4930123456789@127.0.0.1>${method === 'ACK' ? ';tag=b' : ''}\r\nCall-ID: bench-${i}@127.0.0.2\r\n` +
      `CSeq: 1 ${method}\r\nContent-Length: 0\r\n\r\n`,
  )
}

const invites = Array.from({ length: N }, (_, i) => request('INVITE', i))
const acks = Array.from({ length: N }, (_, i) => request('ACK', i))
const t0 = performance.now()
for (let i = 0; i < N; i++) layer.onMessage(invites[i]!, peer.local, uas)
for (let i = 0; i < N; i++) layer.onMessage(acks[i]!, peer.local, uas)
const t1 = performance.now()
clock.advance(10_000)
const perCall = ((t1 - t0) * 1e6) / N
console.log(JSON.stringify({ name: 'transaction: INVITE -> 100 + 486 -> ACK (server side)', opsPerSec: Math.round(1e9 / perCall), nsPerOp: Math.round(perCall), n: N, liveAfter: layer.size }))
