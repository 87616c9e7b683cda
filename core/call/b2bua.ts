// The call layer's transaction user: receives every new request from the transaction layer and dispatches it (first cut: out-of-dialog OPTIONS, 501 for the rest).
import type { Logger } from '../lib/log.js'
import type { CounterSeries, Metric, Metrics } from '../lib/metrics.js'
import type { RemoteAddr, Transport } from '../transport/types.js'
import { buildResponse, generateTag } from '../sip/message/build.js'
import type { SipRequest, SipResponse } from '../sip/message/message.js'
import type { InviteServerTransaction } from '../sip/transaction/invite-server.js'
import type { ServerTransaction, ServerTransactionUser, TransactionFailure } from '../sip/transaction/types.js'
import { optionsResponse, type Capabilities } from './options.js'

/** Options for the B2BUA. */
export interface B2buaOptions {
  log: Logger
  metrics: Metrics
  /** Option tags the node supports (Supported in OPTIONS answers). */
  supported: readonly string[]
  /** Seconds in Retry-After of the 503 sent to new INVITEs while draining (default 30). */
  drainRetryAfterSec?: number
}

/** Methods this node handles today; grows as the call layer does (INVITE, BYE...). */
export const HANDLED_METHODS: readonly string[] = ['OPTIONS']

/** Dispatches requests by method and dialog state; never throws on network input. */
export class B2bua implements ServerTransactionUser {
  private readonly log: Logger
  private readonly caps: Capabilities
  private readonly retryAfterSec: number
  private readonly acksIgnored: CounterSeries
  private readonly stray2xx: CounterSeries
  private readonly serverFailures: Metric
  private draining = false

  constructor(opts: B2buaOptions) {
    this.log = opts.log
    this.caps = { allow: HANDLED_METHODS, supported: opts.supported, accept: ['application/sdp'] }
    this.retryAfterSec = opts.drainRetryAfterSec ?? 30
    this.acksIgnored = opts.metrics.counter('sip_acks_ignored_total', 'ACKs for 2xx with no dialog').labels()
    this.stray2xx = opts.metrics.counter('sip_stray_2xx_total', '2xx responses to INVITE with no client transaction or dialog').labels()
    this.serverFailures = opts.metrics.counter('sip_server_failures_total', 'Server transactions that failed (Timer H or transport)', ['status'])
  }

  /** True once `drain()` was called. */
  get isDraining(): boolean {
    return this.draining
  }

  /** Stops taking new calls: from now on a new INVITE gets 503 with Retry-After (API.md: SIGTERM drain). */
  drain(): void {
    this.draining = true
  }

  /** A new request with its server transaction. RFC 3261 §8.2 (UAS behaviour), §12.2.2 (unknown dialog). */
  onRequest(req: SipRequest, tx: ServerTransaction): void {
    // RFC 3261 §12.2.2: a To tag names a dialog; there are none yet, so the dialog does not exist -> 481.
    if (req.to?.tag !== undefined) {
      tx.respond(buildResponse(req, 481, { toTag: generateTag() }))
      return
    }
    switch (req.method) {
      case 'OPTIONS':
        // RFC 3261 §11.2: answered as if it were an INVITE: 200 listing our capabilities.
        tx.respond(optionsResponse(req, this.caps))
        return
      case 'INVITE':
        if (this.draining) {
          tx.respond(buildResponse(req, 503, { toTag: generateTag(), headers: [['Retry-After', String(this.retryAfterSec)]] }))
          return
        }
        break
    }
    // RFC 3261 §8.2.1: a method the UAS does not implement -> 501 (for INVITE through its IST, so Timer G retransmits it).
    tx.respond(buildResponse(req, 501, { toTag: generateTag(), headers: [['Allow', this.caps.allow.join(', ')]] }))
  }

  /** An ACK for a 2xx: no dialogs exist yet, so it is dropped (an ACK is never answered, RFC 3261 §17). */
  onAck(ack: SipRequest, _remote: RemoteAddr, _transport: Transport): void {
    this.acksIgnored.inc()
    if (this.log.enabled('debug')) this.log.debug('ACK for no dialog dropped', { callId: ack.callId })
  }

  /** RFC 3261 §9.2: the CANCEL was answered 200 by the layer; the INVITE, still proceeding, gets 487. */
  onCancel(_cancel: SipRequest, invite: InviteServerTransaction): void {
    if (invite.state === 'proceeding') invite.respond(buildResponse(invite.request, 487, { toTag: generateTag() }))
  }

  /** RFC 6026 §7.2: a 2xx with no transaction belongs to the dialog layer, which does not exist yet; counted and dropped. */
  onStray2xx(res: SipResponse, remote: RemoteAddr, _transport: Transport): void {
    this.stray2xx.inc()
    if (this.log.enabled('debug')) this.log.debug('stray 2xx dropped', { callId: res.callId, remote: `${remote.address}:${remote.port}` })
  }

  /** Timer H (no ACK for our final) or a send failure: nothing to tear down yet, counted for /metrics. */
  onServerFailure(failure: TransactionFailure, tx: ServerTransaction): void {
    this.serverFailures.labels(String(failure.status)).inc()
    if (this.log.enabled('debug')) this.log.debug('server transaction failed', { status: failure.status, callId: tx.callId, method: tx.request.method })
  }
}
