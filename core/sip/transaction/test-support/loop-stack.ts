// Test fixture for the RFC 3261 §17 suites: a TransactionLayer and a scripted peer on one LoopNetwork, driven by a ManualClock.
import { ManualClock } from '../../../lib/clock.js'
import { Metrics } from '../../../lib/metrics.js'
import { LoopNetwork, type LoopTransport } from '../../../transport/loop.js'
import type { RemoteAddr, Transport } from '../../../transport/types.js'
import { HeaderList } from '../../message/header-list.js'
import { SipRequest, type SipMessage, type SipResponse } from '../../message/message.js'
import { parseMessage } from '../../message/parse.js'
import type { TransactionFailure } from '../failures.js'
import type { InviteServerTransaction } from '../invite-server.js'
import { TransactionLayer } from '../layer.js'
import type { ClientTransaction, ServerTransaction, ServerTransactionUser, TransactionUser } from '../types.js'

/** Records everything the layer hands to the core; `onRequest` runs `answer` if set. */
export class RecordingCore implements ServerTransactionUser {
  readonly requests: Array<{ req: SipRequest; tx: ServerTransaction }> = []
  readonly acks: SipRequest[] = []
  readonly cancels: Array<{ cancel: SipRequest; invite: InviteServerTransaction }> = []
  readonly stray2xx: SipResponse[] = []
  readonly failures: Array<{ failure: TransactionFailure; tx: ServerTransaction }> = []
  answer: ((req: SipRequest, tx: ServerTransaction) => void) | null = null

  onRequest(req: SipRequest, tx: ServerTransaction): void {
    this.requests.push({ req, tx })
    this.answer?.(req, tx)
  }
  onAck(ack: SipRequest): void {
    this.acks.push(ack)
  }
  onCancel(cancel: SipRequest, invite: InviteServerTransaction): void {
    this.cancels.push({ cancel, invite })
  }
  onStray2xx(res: SipResponse): void {
    this.stray2xx.push(res)
  }
  onServerFailure(failure: TransactionFailure, tx: ServerTransaction): void {
    this.failures.push({ failure, tx })
  }
}

/** Records what one client transaction reports. */
export class RecordingTu implements TransactionUser {
  readonly responses: number[] = []
  readonly failures: TransactionFailure[] = []
  onResponse(res: SipResponse): void {
    this.responses.push(res.status)
  }
  onTimeout(f: TransactionFailure): void {
    this.failures.push(f)
  }
  onTransportError(f: TransactionFailure): void {
    this.failures.push(f)
  }
}

/** One message the peer received, with the wire time. */
export interface PeerReceived {
  at: number
  msg: SipMessage
  from: RemoteAddr
}

/** The whole bench: layer on 127.0.0.1:5060, scripted peer on 127.0.0.2:5070. */
export interface Stack {
  clock: ManualClock
  net: LoopNetwork
  metrics: Metrics
  layer: TransactionLayer
  core: RecordingCore
  local: LoopTransport
  peer: LoopTransport
  /** Every message the peer received, in order. */
  got: PeerReceived[]
  /** Sends raw SIP text from the peer to the layer (delivered on the next clock step). */
  send(text: string): void
  /** Times (ms) at which the peer received messages matching `pred`. */
  times(pred: (m: SipMessage) => boolean): number[]
}

/** Builds the bench; `T1` etc. default to the RFC values. */
export function makeStack(): Stack {
  const clock = new ManualClock()
  const net = new LoopNetwork({ clock })
  const metrics = new Metrics()
  const core = new RecordingCore()
  const layer = new TransactionLayer({ clock, user: core, metrics })
  const local = net.open(layer, '127.0.0.1', 5060)
  const got: PeerReceived[] = []
  const peer = net.open(
    {
      onMessage(buf: Buffer, from: RemoteAddr, _t: Transport): void {
        const r = parseMessage(buf)
        if (!r.ok) throw new Error(`peer got unparseable bytes: ${r.error.message}`)
        got.push({ at: clock.now(), msg: r.message, from })
      },
    },
    '127.0.0.2',
    5070,
  )
  return {
    clock,
    net,
    metrics,
    layer,
    core,
    local,
    peer,
    got,
    send: (text) => peer.send(Buffer.from(text.replaceAll('\n', '\r\n')), local.local),
    times: (pred) => got.filter((g) => pred(g.msg)).map((g) => g.at),
  }
}

/** Predicate: a request with this method. */
export const isReq = (method: string) => (m: SipMessage): boolean => m.isRequest && m.method === method
/** Predicate: a response with this status. */
export const isRes = (status: number) => (m: SipMessage): boolean => !m.isRequest && m.status === status

/** Fields of a scripted request from the peer. */
export interface PeerRequest {
  method: string
  branch?: string
  /** Full Via value override (RFC 2543 tests). */
  via?: string
  callId?: string
  cseq?: number
  cseqMethod?: string
  fromTag?: string
  toTag?: string
  uri?: string
  extra?: string
}

/** SIP text for a request the peer (127.0.0.2:5070) sends. */
export function peerRequest(p: PeerRequest): string {
  const via = p.via ?? `SIP/2.0/UDP 127.0.0.2:5070;branch=${p.branch ?? 'z9hG4bKpeer1'};rport`
  return [
    `${p.method} ${p.uri ?? 'sip:123@127.0.0.1'} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: <sip:alice@127.0.0.2>;tag=${p.fromTag ?? 'ftag'}`,
    `To: <sip:123@127.0.0.1>${p.toTag === undefined ? '' : `;tag=${p.toTag}`}`,
    `Call-ID: ${p.callId ?? 'call-1@127.0.0.2'}`,
    `CSeq: ${p.cseq ?? 1} ${p.cseqMethod ?? p.method}`,
    ...(p.extra === undefined ? [] : [p.extra]),
    'Content-Length: 0',
    '',
    '',
  ].join('\n')
}

/** SIP text for a response the peer sends back to a request the layer sent. */
export function peerResponse(req: SipRequest, status: number, reason: string, toTag = 'ptag'): string {
  const h = req.headers
  return [
    `SIP/2.0 ${status} ${reason}`,
    `Via: ${h.get('via')}`,
    `From: ${h.get('from')}`,
    `To: ${h.get('to')}${status > 100 ? `;tag=${toTag}` : ''}`,
    `Call-ID: ${h.get('call-id')}`,
    `CSeq: ${h.get('cseq')}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\n')
}

/** A request the layer sends to the peer, with a fresh Via from `addVia`. */
export function outgoing(s: Stack, method: string, callId = 'out-1@127.0.0.1'): SipRequest {
  const h = new HeaderList()
  h.append('max-forwards', '70')
  h.append('from', '<sip:switch@127.0.0.1>;tag=ltag')
  h.append('to', '<sip:999@127.0.0.2>')
  h.append('call-id', callId)
  h.append('cseq', `1 ${method}`)
  const req = new SipRequest(method, 'sip:999@127.0.0.2:5070', h)
  s.layer.addVia(req, s.local)
  return req
}

/** The peer sends an INVITE (`p` as for peerRequest); returns the INVITE server transaction the layer made for it. */
export function receiveInvite(s: Stack, p: Partial<PeerRequest> = {}): InviteServerTransaction {
  s.send(peerRequest({ method: 'INVITE', ...p }))
  s.clock.flush()
  const entry = s.core.requests.at(-1)
  if (entry === undefined || entry.tx.kind !== 'ist') throw new Error('no IST')
  return entry.tx
}

/** Starts a client transaction from the layer to the peer. */
export function startClient(s: Stack, method: string, tu: TransactionUser = new RecordingTu()): ClientTransaction {
  return s.layer.sendRequest(outgoing(s, method), s.local, s.peer.local, tu)
}
