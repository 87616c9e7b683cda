// The call layer's transaction user: a new INVITE is admitted and becomes a Call, in-dialog requests, ACKs and stray 2xx go to their call, unknown dialogs get 481, OPTIONS 200, and draining refuses new calls.
import type { TerminationReason } from '../../shared/termination/reasons.js'
import type { Logger } from '../lib/log.js'
import type { MediaEnvironment } from '../media/media-session.js'
import type { CounterSeries, Metric, Metrics } from '../lib/metrics.js'
import type { RemoteAddr, Transport } from '../transport/types.js'
import { buildResponse, generateTag } from '../sip/message/build.js'
import { isSipUri, parseUri } from '../sip/message/headers/uri.js'
import type { SipRequest, SipResponse } from '../sip/message/message.js'
import type { InviteServerTransaction } from '../sip/transaction/invite-server.js'
import type { TransactionLayer } from '../sip/transaction/layer.js'
import type { ServerTransaction, ServerTransactionUser, TransactionFailure } from '../sip/transaction/types.js'
import { Call, type CallSummary } from './call.js'
import type { CallContext } from './call-context.js'
import { buildCdr, epochMs } from './cdr-facts.js'
import { CallTable } from './call-table.js'
import { optionsResponse, type Capabilities } from './options.js'
import type { CallController, CallObserver, RejectDecision } from './ports.js'

/** Options for the B2BUA. */
export interface B2buaOptions {
  log: Logger
  metrics: Metrics
  /** Option tags the node supports (Supported in OPTIONS answers and on both legs). */
  supported: readonly string[]
  /** Seconds in Retry-After of the 503 sent to new INVITEs while draining (default 30). */
  drainRetryAfterSec?: number
  /** Admission (policy layer); without one every INVITE gets 501. */
  controller?: CallController
  /** Sees every call start, answer and end (the CDR sink); default: none. */
  observer?: CallObserver
  /** Host and port written into Contact and From of both legs (SIP_ADVERTISED_HOST:SIP_PORT); default: the transport's. */
  advertisedHost?: string
  advertisedPort?: number
  /** Node name in CDRs (default 'core'). */
  nodeId?: string
  /** CDR ids (the composition root passes cdr/record.ts newCdrId); default: a time-ordered counter. */
  newCdrId?: (nowMs: number) => string
  /** RTP relay for calls whose mapping or routing gateway has mediaProxy; default: none (SDP passes untouched). */
  media?: MediaEnvironment
}

/** Methods the node handles once calls are enabled (Allow on both legs and in OPTIONS answers). */
export const CALL_METHODS: readonly string[] = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'UPDATE', 'INFO']

/** Marks an INVITE the policy told us to drop unanswered (its CANCEL gets no 487 either). */
const SILENT = Symbol('silent')

const NO_OBSERVER: CallObserver = {
  onCallStarted: () => Promise.resolve(),
  onCallAnswered: () => Promise.resolve(),
  onCallEnded: () => Promise.resolve(),
}

let fallbackSeq = 0
function fallbackCdrId(nowMs: number): string {
  return `${Math.floor(nowMs).toString(36)}-${(fallbackSeq++).toString(36)}`
}

/** The user part of a SIP/tel URI (the number as signalled), '' when there is none. */
function numberOf(uri: string | undefined): string {
  if (uri === undefined) return ''
  const u = parseUri(uri)
  if (u === undefined) return ''
  if (isSipUri(u)) return u.user ?? ''
  return u.scheme === 'tel' && 'number' in u ? u.number : ''
}

/** Dispatches requests by method and dialog; never throws on network input. */
export class B2bua implements ServerTransactionUser {
  private readonly log: Logger
  private readonly opts: B2buaOptions
  private readonly caps: Capabilities
  private readonly retryAfterSec: number
  private readonly controller: CallController | null
  private readonly table = new CallTable()
  private readonly acksIgnored: CounterSeries
  private readonly stray2xx: CounterSeries
  private readonly serverFailures: Metric
  private readonly rejected: Metric
  private ctx: CallContext | null = null
  private draining = false

  constructor(opts: B2buaOptions) {
    this.opts = opts
    this.log = opts.log
    this.controller = opts.controller ?? null
    const allow = this.controller === null ? ['OPTIONS'] : CALL_METHODS
    this.caps = { allow, supported: opts.supported, accept: ['application/sdp'] }
    this.retryAfterSec = opts.drainRetryAfterSec ?? 30
    const m = opts.metrics
    this.acksIgnored = m.counter('sip_acks_ignored_total', 'ACKs for 2xx with no dialog').labels()
    this.stray2xx = m.counter('sip_stray_2xx_total', '2xx responses to INVITE with no client transaction or dialog').labels()
    this.serverFailures = m.counter('sip_server_failures_total', 'Server transactions that failed (Timer H or transport)', ['status'])
    this.rejected = m.counter('calls_rejected_total', 'INVITEs refused at admission, by reason', ['reason'])
    m.gauge('calls_active', 'Calls in progress', [], () => this.table.size)
  }

  /** Connects the B2BUA to the layer it serves (the layer takes the B2BUA as its user, so this comes second). */
  attach(layer: TransactionLayer): void {
    const o = this.opts
    const m = o.metrics
    const onErr = m.counter('call_observer_errors_total', 'Observer (CDR sink) promises that rejected').labels()
    const log = this.log
    this.ctx = {
      layer,
      clock: layer.clock,
      log,
      observer: o.observer ?? NO_OBSERVER,
      table: this.table,
      counters: {
        started: m.counter('calls_started_total', 'Calls admitted').labels(),
        answered: m.counter('calls_answered_total', 'Calls answered').labels(),
        ended: m.counter('calls_ended_total', 'Calls ended, by termination reason', ['reason']),
        attempts: m.counter('call_attempts_total', 'Routing attempts (leg B INVITEs) sent').labels(),
        observerErrors: onErr,
      },
      hostport: '',
      contact: '',
      allow: this.caps.allow.join(', '),
      supported: o.supported.join(', '),
      dialogHeaders: [],
      nodeId: o.nodeId ?? 'core',
      media: o.media ?? null,
      newCdrId: o.newCdrId ?? fallbackCdrId,
      onObserverError: (err: unknown) => {
        onErr.inc()
        log.error('call observer failed', { err })
      },
    }
  }

  /** True once `drain()` was called. */
  get isDraining(): boolean {
    return this.draining
  }

  /** Calls in progress (the drain waits for 0). */
  get activeCalls(): number {
    return this.table.size
  }

  /** The calls in progress themselves (tests and the media anchor's owner reach a call through this). */
  calls(): Call[] {
    return this.table.calls()
  }

  /** Calls in progress for the status port's /v1/calls. */
  callSummaries(): CallSummary[] {
    return this.table.calls().map((c) => c.summary())
  }

  /** Whether a call with this id (its CDR id) is in progress here. */
  hasCall(id: string): boolean {
    return this.table.calls().some((c) => c.id === id)
  }

  /** Ends the call with this id as an operator asked: BYE both legs after the answer, 503 + CANCEL before; false when it is not here. */
  hangupCall(id: string): boolean {
    const call = this.table.calls().find((c) => c.id === id)
    if (call === undefined) return false
    call.hangup('OperatorHangup')
    return true
  }

  /** Stops taking new calls: from now on a new INVITE gets 503 with Retry-After (the SIGTERM drain, docs/operations.md). */
  drain(): void {
    this.draining = true
  }

  /** Ends every call now (BYE when answered, 503 + CANCEL before) with `reason`; returns how many were ended. */
  shutdown(reason: TerminationReason = 'SystemShutdown'): number {
    const calls = this.table.calls()
    for (const c of calls) c.terminate(reason)
    return calls.length
  }

  /** A new request with its server transaction. RFC 3261 §8.2 (UAS behaviour), §12.2.2 (in-dialog). */
  onRequest(req: SipRequest, tx: ServerTransaction): void {
    if (req.to?.tag !== undefined) {
      const leg = this.table.findLeg(req)
      if (leg !== undefined) return leg.call.onInDialogRequest(leg, req, tx)
      // RFC 3261 §12.2.2: a To tag names a dialog we do not have -> 481.
      tx.respond(buildResponse(req, 481))
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
        if (this.controller !== null && this.ctx !== null && tx.kind === 'ist') return this.newInvite(req, tx, this.controller, this.ctx)
        break
      case 'BYE':
      case 'UPDATE':
      case 'INFO':
        // RFC 3261 §12.2.2 / §15.1.2: a dialog request outside any dialog.
        if (this.controller !== null) {
          tx.respond(buildResponse(req, 481, { toTag: generateTag() }))
          return
        }
    }
    // RFC 3261 §8.2.1: a method the UAS does not implement -> 501 (for INVITE through its IST, so Timer G retransmits it).
    tx.respond(buildResponse(req, 501, { toTag: generateTag(), headers: [['Allow', this.caps.allow.join(', ')]] }))
  }

  /** A caller INVITE without To tag: merged-request check, admission, then a Call, a challenge or a refusal. */
  private newInvite(req: SipRequest, ist: InviteServerTransaction, controller: CallController, ctx: CallContext): void {
    const callId = req.callId!
    const fromTag = req.from?.tag
    if (fromTag !== undefined) {
      const existing = this.table.findOrigin(callId, fromTag)
      if (existing !== undefined) {
        // RFC 3261 §8.2.2.2: same Call-ID/From tag/CSeq as a call we have: a late retransmission (drop) or a merged request (482).
        if (existing.a.invite.cseq?.seq === req.cseq?.seq) ist.dropUnanswered()
        else ist.respond(buildResponse(req, 482, { toTag: generateTag() }))
        return
      }
    }
    if (ctx.contact === '') this.setIdentity(ctx, ist.transport)
    const caller = numberOf(req.from?.uri)
    const callee = numberOf(req.uri)
    const decision = controller.admit({ source: ist.source, request: req, caller, callee, nowMs: ctx.clock.now() })
    switch (decision.kind) {
      case 'route':
        // RFC 3261 §17.2.1: 100 Trying only now, so a silently dropped INVITE never saw one (the layer runs with autoTrying off).
        ist.respond(buildResponse(req, 100))
        new Call(ctx, decision, req, ist, { caller, callee, source: ist.source }).start()
        return
      case 'challenge':
        // RFC 3261 §22.2: 401 WWW-Authenticate / 407 Proxy-Authenticate.
        ist.respond(buildResponse(req, decision.status, { toTag: generateTag(), headers: decision.headers }))
        return
      case 'reject':
        return this.refuse(req, ist, decision, caller, callee, ctx)
    }
  }

  private refuse(req: SipRequest, ist: InviteServerTransaction, d: RejectDecision, caller: string, callee: string, ctx: CallContext): void {
    this.rejected.labels(d.reason).inc()
    if (d.silent) {
      ist.userData = SILENT
      ist.dropUnanswered()
    } else ist.respond(buildResponse(req, d.status, { toTag: generateTag(), ...(d.headers === undefined ? {} : { headers: d.headers }) }))
    if (!d.recordCdr) return
    const now = epochMs(ctx.clock)
    const skeleton = {
      id: ctx.newCdrId(now), callId: req.callId ?? '', startedAtMs: now, caller, callee, accountId: d.accountId,
      mappingGatewayId: d.mappingGatewayId, sourceIp: ist.source.address, sourcePort: ist.source.port, nodeId: ctx.nodeId,
    }
    const facts = { skeleton, answeredAtMs: null, firstProgressAtMs: null, calleeOut: null, routingGatewayId: null, attempts: [], notes: d.notes === undefined ? [] : [...d.notes] }
    ctx.observer.onCallEnded(buildCdr(facts, { reason: d.reason, sipCode: d.silent ? null : d.status }, now)).catch(ctx.onObserverError)
  }

  /** Contact and From host of both legs: the advertised address, else the transport's (IPv6 bracketed). */
  private setIdentity(ctx: CallContext, transport: Transport): void {
    const host = this.opts.advertisedHost ?? transport.local.address
    const port = this.opts.advertisedPort ?? transport.local.port
    const hostport = (host.indexOf(':') !== -1 ? '[' + host + ']' : host) + ':' + port
    const c = ctx as { -readonly [K in keyof CallContext]: CallContext[K] }
    c.hostport = hostport
    c.contact = '<sip:' + hostport + '>'
    const h: Array<readonly [string, string]> = [['Contact', c.contact], ['Allow', ctx.allow]]
    if (ctx.supported.length > 0) h.push(['Supported', ctx.supported])
    c.dialogHeaders = h
  }

  /** An ACK for a 2xx (RFC 3261 §13.2.2.4): to the call whose leg it names; otherwise dropped (an ACK is never answered). */
  onAck(ack: SipRequest, _remote: RemoteAddr, _transport: Transport): void {
    const leg = this.table.findLeg(ack)
    if (leg !== undefined) return leg.call.onAck(leg, ack)
    this.acksIgnored.inc()
    if (this.log.enabled('debug')) this.log.debug('ACK for no dialog dropped', { callId: ack.callId })
  }

  /** RFC 3261 §9.2: the CANCEL was answered 200 by the layer; the call sends 487 and cancels its attempt. */
  onCancel(_cancel: SipRequest, invite: InviteServerTransaction): void {
    const owner = invite.userData
    if (owner instanceof Call) return owner.onCallerCancel()
    if (owner === SILENT) return
    if (invite.state === 'proceeding') invite.respond(buildResponse(invite.request, 487, { toTag: generateTag() }))
  }

  /** RFC 6026 §7.2: a 2xx with no transaction: a B leg re-sends its ACK; anything else is counted and dropped. */
  onStray2xx(res: SipResponse, remote: RemoteAddr, _transport: Transport): void {
    const leg = this.table.findLegForResponse(res)
    if (leg !== undefined && leg.side === 'b') return leg.onStray2xx(res)
    this.stray2xx.inc()
    if (this.log.enabled('debug')) this.log.debug('stray 2xx dropped', { callId: res.callId, remote: `${remote.address}:${remote.port}` })
  }

  /** Timer H (no ACK for our final) or a send failure: counted for /metrics (the call already ended or retransmits its 2xx itself). */
  onServerFailure(failure: TransactionFailure, tx: ServerTransaction): void {
    this.serverFailures.labels(String(failure.status)).inc()
    if (this.log.enabled('debug')) this.log.debug('server transaction failed', { status: failure.status, callId: tx.callId, method: tx.request.method })
  }
}
