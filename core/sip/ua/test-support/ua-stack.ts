// Test support for the request router: a router with the OPTIONS answerer on 127.0.0.1:5060 behind a real transaction layer, a scripted peer on 127.0.0.2:5070, and request text.
import { ManualClock } from '../../../lib/clock.js'
import { silentLogger } from '../../../lib/log.js'
import { Metrics } from '../../../lib/metrics.js'
import { LoopNetwork } from '../../../transport/loop.js'
import type { RemoteAddr } from '../../../transport/types.js'
import type { SipMessage } from '../../message/message.js'
import { parseMessage } from '../../message/parse.js'
import { DEFAULT_VALIDATE_OPTIONS } from '../../message/validate.js'
import { TransactionLayer } from '../../transaction/layer.js'
import { OptionsAnswerer } from '../options.js'
import { RequestRouter } from '../router.js'

/** The stack; `register` adds handlers, owners and gates before any traffic (as the composition root does). */
export function uaStack(register?: (router: RequestRouter, metrics: Metrics) => void) {
  const clock = new ManualClock()
  const net = new LoopNetwork({ clock })
  const metrics = new Metrics()
  const router = new RequestRouter({ log: silentLogger, metrics })
  router.handle('OPTIONS', new OptionsAnswerer({ allow: () => router.allow, supported: DEFAULT_VALIDATE_OPTIONS.supported, accept: ['application/sdp'] }))
  register?.(router, metrics)
  const layer = new TransactionLayer({ clock, user: router, metrics, validate: { localHosts: ['127.0.0.1'] } })
  const local = net.open(layer, '127.0.0.1', 5060)
  const got: Array<{ at: number; msg: SipMessage }> = []
  const peer = net.open({ onMessage: (buf: Buffer, _from: RemoteAddr) => {
    const r = parseMessage(buf)
    if (!r.ok) throw new Error(r.error.message)
    got.push({ at: clock.now(), msg: r.message })
  } }, '127.0.0.2', 5070)
  const send = (text: string): void => peer.send(Buffer.from(text.replaceAll('\n', '\r\n')), local.local)
  const statuses = (): number[] => got.map((g) => (g.msg.isRequest ? 0 : g.msg.status))
  return { clock, net, metrics, router, layer, got, send, statuses }
}

/** A request from the peer (LF line ends; `send` makes them CRLF). */
export function request(method: string, o: { uri?: string; branch?: string; toTag?: string; maxForwards?: number; cseqMethod?: string } = {}): string {
  return [
    `${method} ${o.uri ?? 'sip:127.0.0.1:5060'} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.2:5070;branch=${o.branch ?? 'z9hG4bKb2b1'};rport`,
    `Max-Forwards: ${o.maxForwards ?? 70}`,
    'From: <sip:alice@127.0.0.2>;tag=f1',
    `To: <sip:127.0.0.1>${o.toTag === undefined ? '' : `;tag=${o.toTag}`}`,
    'Call-ID: b2b-1@127.0.0.2',
    `CSeq: 1 ${o.cseqMethod ?? method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\n')
}
