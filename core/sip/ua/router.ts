// The request router: the node's only ServerTransactionUser; it screens new requests, hands in-dialog traffic to the dialog owner and new requests to the handler registered for their method, and answers the rest (481, 501).
import type { Logger } from '../../lib/log.js'
import type { CounterSeries, Metric, Metrics } from '../../lib/metrics.js'
import type { RemoteAddr, Transport } from '../../transport/types.js'
import { buildResponse, generateTag } from '../message/build.js'
import type { SipRequest, SipResponse } from '../message/message.js'
import type { TransactionFailure } from '../transaction/failures.js'
import type { InviteServerTransaction } from '../transaction/invite-server.js'
import type { ScreenVerdict, ServerTransaction, ServerTransactionUser } from '../transaction/types.js'

/** Takes the new out-of-dialog requests of the methods it registered for (`RequestRouter.handle`). */
export interface RequestHandler {
  /** A new request without To tag and its server transaction; answer through `tx.respond()`. Never throws on network input. */
  onRequest(req: SipRequest, tx: ServerTransaction): void
  /** RFC 3261 §9.2 (INVITE handlers only): a CANCEL matched an INVITE this handler took; 200 is sent, the 487 is the handler's. */
  onCancel?(cancel: SipRequest, invite: InviteServerTransaction): void
}

/** The owner of the node's dialogs (the calls): everything that names a dialog goes to it first. */
export interface DialogOwner {
  /** A request with a To tag (RFC 3261 §12.2.2); false when it names no dialog of ours (the router answers 481). */
  onInDialogRequest(req: SipRequest, tx: ServerTransaction): boolean
  /** RFC 3261 §9.2: a CANCEL matched an in-dialog INVITE (a re-INVITE) still proceeding; 200 is sent, the 487 is the owner's. */
  onCancel(cancel: SipRequest, invite: InviteServerTransaction): void
  /** An ACK for a 2xx (RFC 3261 §13.2.2.4); false when it names no dialog (dropped, an ACK is never answered). */
  onAck(ack: SipRequest, remote: RemoteAddr, transport: Transport): boolean
  /** A 2xx to INVITE with no client transaction (RFC 6026 §7.2); false when it names no dialog (dropped). */
  onStray2xx(res: SipResponse, remote: RemoteAddr, transport: Transport): boolean
}

/**
 * One check of the pre-transaction screen (a ban list, a rate limit): it sees a new request before the transaction
 * layer creates anything for it and may pass it, drop it, or have it answered once statelessly. Gates run in the
 * order they were added; the first verdict other than pass wins. A gate must be cheap and must not throw.
 */
export interface RequestGate {
  /** Names the gate in `sip_screened_requests_total{gate, action}`. */
  readonly name: string
  check(req: SipRequest, source: RemoteAddr, transport: Transport): ScreenVerdict
}

/** Thrown when our own wiring registers twice for the same thing (a bug, never network input). */
export class RouterError extends Error {
  override name = 'RouterError'
}

/** Options for a RequestRouter. */
export interface RequestRouterOptions {
  log: Logger
  metrics: Metrics
}

/** The one verdict object for a request every gate passed (no allocation per request). */
export const PASS: ScreenVerdict = Object.freeze({ action: 'pass' })

/** Methods in the order Allow lists them; a registered method not named here follows in registration order. */
const ALLOW_ORDER: readonly string[] = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'UPDATE', 'INFO', 'PRACK', 'REGISTER', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'PUBLISH']

/** Counted series of one gate. */
interface GateSeries {
  readonly gate: RequestGate
  readonly dropped: CounterSeries
  readonly responded: CounterSeries
}

/**
 * Routes what the transaction layer hands up. Register handlers before the first request arrives:
 * `handle(method, handler)` for new out-of-dialog requests (one handler per method; INVITE brings ACK and CANCEL
 * into Allow), `ownDialogs(owner)` for requests, ACKs and stray 2xx that name a dialog, `addGate(gate)` for the
 * screen. A method nobody registered is answered 501 with Allow (RFC 3261 §8.2.1), so REGISTER gets 501 until a
 * registrar registers for it. Which worker owns a message is decided by `routingKey()` (routing-key.ts).
 */
export class RequestRouter implements ServerTransactionUser {
  private readonly log: Logger
  private readonly handlers = new Map<string, RequestHandler>()
  private dialogs: DialogOwner | null = null
  private gates: GateSeries[] = []
  private allowCache: readonly string[] | null = null
  private readonly screened: Metric
  private readonly acksIgnored: CounterSeries
  private readonly stray2xx: CounterSeries
  private readonly serverFailures: Metric

  constructor(opts: RequestRouterOptions) {
    this.log = opts.log
    const m = opts.metrics
    this.screened = m.counter('sip_screened_requests_total', 'New requests the pre-transaction screen dropped or answered statelessly, by gate', ['gate', 'action'])
    this.acksIgnored = m.counter('sip_acks_ignored_total', 'ACKs for 2xx with no dialog').labels()
    this.stray2xx = m.counter('sip_stray_2xx_total', '2xx responses to INVITE with no client transaction or dialog').labels()
    this.serverFailures = m.counter('sip_server_failures_total', 'Server transactions that failed (Timer H or transport)', ['status'])
  }

  /** Makes `handler` the one taker of new out-of-dialog `method` requests; a second registration for a method is a bug. */
  handle(method: string, handler: RequestHandler): void {
    if (method === 'ACK' || method === 'CANCEL') throw new RouterError(`${method} has no handler of its own: it follows its INVITE (RFC 3261 §9, §17)`)
    if (this.handlers.has(method)) throw new RouterError(`a handler for ${method} is already registered`)
    this.handlers.set(method, handler)
    this.allowCache = null
  }

  /** Makes `owner` the owner of the node's dialogs (one owner: the dialog table says whose a dialog is). */
  ownDialogs(owner: DialogOwner): void {
    if (this.dialogs !== null) throw new RouterError('the dialogs already have an owner')
    this.dialogs = owner
  }

  /** Appends a gate to the pre-transaction screen. */
  addGate(gate: RequestGate): void {
    this.gates = [...this.gates, { gate, dropped: this.screened.labels(gate.name, 'drop'), responded: this.screened.labels(gate.name, 'respond') }]
  }

  /** Methods the node handles now (Allow of 501 and OPTIONS answers, and of both call legs). */
  get allow(): readonly string[] {
    return (this.allowCache ??= allowOf([...this.handlers.keys()]))
  }

  // ---- ServerTransactionUser ----------------------------------------------------------------------

  /** The pre-transaction screen: every gate in order, the first drop or stateless answer wins. */
  screen(req: SipRequest, source: RemoteAddr, transport: Transport): ScreenVerdict {
    const gates = this.gates
    for (let i = 0; i < gates.length; i++) {
      const g = gates[i]!
      const v = g.gate.check(req, source, transport)
      if (v.action === 'pass') continue
      if (v.action === 'drop') g.dropped.inc()
      else g.responded.inc()
      return v
    }
    return PASS
  }

  /** A new request with its server transaction. RFC 3261 §8.2 (UAS behaviour), §12.2.2 (in-dialog). */
  onRequest(req: SipRequest, tx: ServerTransaction): void {
    if (req.to?.tag !== undefined) {
      if (this.dialogs?.onInDialogRequest(req, tx) === true) return
      // RFC 3261 §12.2.2: a To tag names a dialog we do not have -> 481.
      tx.respond(buildResponse(req, 481))
      return
    }
    const handler = this.handlers.get(req.method)
    if (handler !== undefined) return handler.onRequest(req, tx)
    // RFC 3261 §8.2.1: a method the UAS does not implement -> 501 (for INVITE through its IST, so Timer G retransmits it).
    tx.respond(buildResponse(req, 501, { toTag: generateTag(), headers: [['Allow', this.allow.join(', ')]] }))
  }

  /** An ACK for a 2xx: to the dialog it names; otherwise counted and dropped (an ACK is never answered). */
  onAck(ack: SipRequest, remote: RemoteAddr, transport: Transport): void {
    if (this.dialogs?.onAck(ack, remote, transport) === true) return
    this.acksIgnored.inc()
    if (this.log.enabled('debug')) this.log.debug('ACK for no dialog dropped', { callId: ack.callId })
  }

  /** RFC 3261 §9.2: the CANCEL was answered 200 by the layer; whoever took the INVITE sends 487, else the router does. */
  onCancel(cancel: SipRequest, invite: InviteServerTransaction): void {
    if (invite.request.to?.tag !== undefined) {
      if (this.dialogs !== null) return this.dialogs.onCancel(cancel, invite)
    } else {
      const handler = this.handlers.get('INVITE')
      if (handler?.onCancel !== undefined) return handler.onCancel(cancel, invite)
    }
    if (invite.state === 'proceeding') invite.respond(buildResponse(invite.request, 487, { toTag: generateTag() }))
  }

  /** RFC 6026 §7.2: a 2xx with no transaction goes to the dialog it names; anything else is counted and dropped. */
  onStray2xx(res: SipResponse, remote: RemoteAddr, transport: Transport): void {
    if (this.dialogs?.onStray2xx(res, remote, transport) === true) return
    this.stray2xx.inc()
    if (this.log.enabled('debug')) this.log.debug('stray 2xx dropped', { callId: res.callId, remote: `${remote.address}:${remote.port}` })
  }

  /** Timer H (no ACK for our final) or a send failure: counted for /metrics (a call retransmits its 2xx itself). */
  onServerFailure(failure: TransactionFailure, tx: ServerTransaction): void {
    this.serverFailures.labels(String(failure.status)).inc()
    if (this.log.enabled('debug')) this.log.debug('server transaction failed', { status: failure.status, callId: tx.callId, method: tx.method })
  }
}

/** Allow for these registered methods: INVITE brings ACK and CANCEL (RFC 3261 §9, §17), known methods in ALLOW_ORDER. */
function allowOf(methods: readonly string[]): readonly string[] {
  const set = new Set(methods)
  if (set.has('INVITE')) {
    set.add('ACK')
    set.add('CANCEL')
  }
  const known = ALLOW_ORDER.filter((m) => set.has(m))
  const rest = methods.filter((m) => !ALLOW_ORDER.includes(m))
  return Object.freeze([...known, ...rest])
}
