// The receive path of a node with several workers: each message goes to the worker that owns it (the one that minted the identifier its routing key names, or the one a new request hashes to), everything else of the node stays unaware.
import type { CounterSeries, Metrics } from '../../lib/metrics.js'
import type { RemoteAddr, Transport, TransportUser } from '../../transport/types.js'
import { BRANCH_COOKIE, isStatelessTag, markOf } from '../message/build.js'
import { statelessAcksCounter } from '../transaction/layer.js'
import { routingKeyOfBytes } from './routing-key.js'

/** Hands a message to worker `owner` (the mesh); the owner passes it to its own transaction layer. */
export type ForwardMessage = (owner: number, buf: Buffer, remote: RemoteAddr, transport: Transport) => void

/** Options of a WorkerDispatch. */
export interface WorkerDispatchOptions {
  /** This worker's index, 0..workers-1 (its identifiers carry it: build.ts setIdMark). */
  self: number
  workers: number
  /** This worker's transaction layer. */
  local: TransportUser
  forward: ForwardMessage
  metrics: Metrics
}

/** The worker that runs the registrar: every REGISTER is its (the primary passes its bindings to the others). */
export const REGISTRAR_WORKER = 0

/** The worker that holds every TCP and TLS connection of the node (its connection limits count them all). */
export const STREAM_WORKER = 0

const REGISTER = Buffer.from('REGISTER ')
const ACK = Buffer.from('ACK ')

/** `ownerOf` for a message no worker needs: the ACK of a stateless answer. */
export const NOBODY = -1

const NONCE = Buffer.from('nonce=')
const HEAD_END = Buffer.from('\r\n\r\n')

/**
 * The worker that issued the digest nonce a request's credentials carry (digest.ts puts the mark first), or -1. A
 * nonce is checked (its count kept) only by its issuer. The parameter is `nonce=` after a space, tab or comma
 * (lowercase, as every client writes it), so `cnonce=`, which SIPp and others put before it, is not taken for it.
 */
function nonceOwner(buf: Buffer): number {
  let end = buf.indexOf(HEAD_END)
  if (end === -1) end = buf.length
  let i = buf.indexOf(NONCE)
  while (i !== -1 && i < end) {
    const before = buf[i - 1]
    if (i > 0 && (before === 32 || before === 44 || before === 9)) {
      i += NONCE.length
      if (buf[i] === 34) i++
      const c = buf[i]
      return c === undefined ? -1 : markOf(String.fromCharCode(c))
    }
    i = buf.indexOf(NONCE, i + NONCE.length)
  }
  return -1
}

/** Whether `buf` is a request of the method `start` begins with (leading CRLFs skipped, as the parser does). */
function startsWith(buf: Buffer, start: Buffer): boolean {
  let i = 0
  while (i < buf.length && (buf[i] === 13 || buf[i] === 10)) i++
  return buf.length - i > start.length && buf.compare(start, 0, start.length, i, i + start.length) === 0
}

/** FNV-1a over the UTF-16 code units of `s` (32 bits). */
export function hashString(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/**
 * A TransportUser in front of the transaction layer. A response goes to the worker its top Via branch names, a
 * request inside a dialog (an ACK for a non-2xx final too) to the one its To tag names; a new request, and every
 * retransmission and CANCEL of it, to the worker that issued the digest nonce it carries, else the one its Call-ID
 * hashes to (a REGISTER to REGISTRAR_WORKER). The ACK of a stateless answer (its To tag says so) is absorbed where it
 * arrives, unparsed. Identifiers that name no worker of ours stay here, where the layer answers or drops them as usual.
 */
export class WorkerDispatch implements TransportUser {
  private readonly self: number
  private readonly workers: number
  private readonly local: TransportUser
  private readonly forward: ForwardMessage
  /** Draining: new requests are answered here (503), never handed to a worker that may have exited already. */
  private draining = false
  private readonly here: CounterSeries
  private readonly handed: CounterSeries
  private readonly statelessAcks: CounterSeries

  constructor(opts: WorkerDispatchOptions) {
    this.self = opts.self
    this.workers = opts.workers
    this.local = opts.local
    this.forward = opts.forward
    const routed = opts.metrics.counter('worker_dispatched_messages_total', 'Messages received by this worker, by where they went (here, or handed to their owner)', ['to'])
    this.here = routed.labels('here')
    this.handed = routed.labels('owner')
    this.statelessAcks = statelessAcksCounter(opts.metrics)
  }

  /** The worker that owns the message in `buf` (wherever it came from), or NOBODY for the ACK of a stateless answer. */
  ownerOf(buf: Buffer, _remote?: RemoteAddr): number {
    const key = routingKeyOfBytes(buf)
    if (key === undefined) return this.self
    let owner: number
    switch (key.source) {
      case 'via-branch':
        owner = key.value.startsWith(BRANCH_COOKIE) ? markOf(key.value, BRANCH_COOKIE.length) : -1
        break
      case 'to-tag':
        // RFC 3261 §8.2.7: a stateless answer (a challenge) left nothing to find, so its ACK is absorbed unparsed.
        if (isStatelessTag(key.value) && startsWith(buf, ACK)) return NOBODY
        owner = markOf(key.value)
        break
      case 'call-id': {
        if (this.draining) return this.self
        if (startsWith(buf, REGISTER)) return REGISTRAR_WORKER
        const issuer = nonceOwner(buf)
        if (issuer >= 0 && issuer < this.workers) return issuer
        // Every source by its Call-ID: the screen counts a source's requests on each worker against that worker's share.
        return hashString(key.value) % this.workers
      }
    }
    return owner >= 0 && owner < this.workers ? owner : this.self
  }

  /** The node drains: from now on every new request is answered by the worker that received it. */
  drain(): void {
    this.draining = true
  }

  onMessage(buf: Buffer, remote: RemoteAddr, transport: Transport): void {
    const owner = this.workers === 1 ? this.self : this.ownerOf(buf, remote)
    if (owner === NOBODY) {
      this.statelessAcks.inc()
      return
    }
    if (owner === this.self) {
      this.here.inc()
      this.local.onMessage(buf, remote, transport)
      return
    }
    this.handed.inc()
    this.forward(owner, buf, remote, transport)
  }

  onOversized(head: Buffer, remote: RemoteAddr, transport: Transport): void {
    this.local.onOversized?.(head, remote, transport)
  }

  /** The connection closes right after: its 400 can only leave from here (the worker holding the connection). */
  onUnframed(head: Buffer, remote: RemoteAddr, transport: Transport): void {
    this.here.inc()
    this.local.onMessage(head, remote, transport)
  }
}
