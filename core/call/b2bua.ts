// The calls' handler in the request router: a new INVITE is admitted and becomes a Call, in-dialog requests, ACKs and stray 2xx go to their call, dialog requests outside a dialog get 481, and draining refuses new calls.
import type { TerminationReason } from '../../shared/termination/reasons.js'
import type { Logger } from '../lib/log.js'
import type { MediaEnvironment } from '../media/media-session.js'
import type { Metric, Metrics } from '../lib/metrics.js'
import type { Transport } from '../transport/types.js'
import { buildResponse, generateTag } from '../sip/message/build.js'
import type { SipRequest, SipResponse } from '../sip/message/message.js'
import type { InviteServerTransaction } from '../sip/transaction/invite-server.js'
import type { TransactionLayer } from '../sip/transaction/layer.js'
import type { ServerTransaction } from '../sip/transaction/types.js'
import type { DialogOwner, RequestHandler, RequestRouter } from '../sip/ua/router.js'
import { Call, type CallSummary } from './call.js'
import type { CallContext } from './call-context.js'
import { epochMs, numberOf, refusalCdr } from './cdr-facts.js'
import { CallTable } from './call-table.js'
import { sipTransport, type CallController, type CallObserver, type Decision, type RejectDecision } from './ports.js'

/** Options for the B2BUA. */
export interface B2buaOptions {
  log: Logger
  metrics: Metrics
  /** Option tags the node supports (Supported on both legs). */
  supported: readonly string[]
  /** Seconds in Retry-After of the 503 sent to new INVITEs while draining (default 30). */
  drainRetryAfterSec?: number
  /** Admission (policy layer). */
  controller: CallController
  /** Sees every call start, answer and end (the CDR sink); default: none. */
  observer?: CallObserver
  /**
   * Hold messages to the caller until the observer's start and answer promises settle (default true): after a crash,
   * every call the caller saw admitted or answered has its record on disk. Unit tests of the call layer turn it off.
   */
  journalBarrier?: boolean
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

/** Dialog requests the calls take inside their dialogs and answer with 481 outside any (RFC 3261 §12.2.2, §15.1.2). */
const DIALOG_METHODS: readonly string[] = ['BYE', 'UPDATE', 'INFO', 'PRACK']

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

/** Takes new INVITEs and owns the calls' dialogs in the request router; never throws on network input. */
export class B2bua implements RequestHandler, DialogOwner {
  private readonly log: Logger
  private readonly opts: B2buaOptions
  private readonly retryAfterSec: number
  private readonly controller: CallController
  private readonly table = new CallTable()
  private readonly rejected: Metric
  private router: RequestRouter | null = null
  private ctx: CallContext | null = null
  private draining = false
  private firstTransport: Transport | null = null
  private readonly contacts = new Map<Transport, string>()

  constructor(opts: B2buaOptions) {
    this.opts = opts
    this.log = opts.log
    this.controller = opts.controller
    this.retryAfterSec = opts.drainRetryAfterSec ?? 30
    const m = opts.metrics
    this.rejected = m.counter('calls_rejected_total', 'INVITEs refused at admission, by reason', ['reason'])
    m.gauge('calls_active', 'Calls in progress', [], () => this.table.size)
  }

  /** Registers the calls with the router: new INVITEs, the dialog requests outside a dialog (481) and every dialog. */
  register(router: RequestRouter): void {
    this.router = router
    router.handle('INVITE', this)
    // RFC 3261 §12.2.2 / §15.1.2: a dialog request outside any dialog.
    const outsideDialog: RequestHandler = { onRequest: (req, tx) => tx.respond(buildResponse(req, 481, { toTag: generateTag() })) }
    for (const method of DIALOG_METHODS) router.handle(method, outsideDialog)
    router.ownDialogs(this)
  }

  /** Connects the B2BUA to the layer it sends through (the layer takes the router as its user, so this comes second). */
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
      counters: {
        started: m.counter('calls_started_total', 'Calls admitted').labels(),
        answered: m.counter('calls_answered_total', 'Calls answered').labels(),
        ended: m.counter('calls_ended_total', 'Calls ended, by termination reason', ['reason']),
        attempts: m.counter('call_attempts_total', 'Routing attempts (leg B INVITEs) sent').labels(),
        observerErrors: onErr,
        legs: m.counter('call_legs_total', 'Call legs by side (caller: admitted INVITEs, callee: attempts sent) and transport', ['side', 'transport']),
        setup: m.histogram('call_setup_seconds', 'Post-dial delay: INVITE received to the first ringing, progress or answer from a vendor', [], [0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30]).labels(),
        answerJournal: m.histogram('call_answer_journal_seconds', 'A vendor\'s 200 to the answer on the journal\'s disk; the 200 to the caller waits for it', [], [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1]).labels(),
      },
      hostport: '',
      contact: '',
      contactFor: (t: Transport) => this.contactFor(t),
      // Layers built without a transport set (unit tests on the loop network) reach everyone over the caller's transport.
      transportFor: (p) => layer.transports.get(p) ?? (p === 'UDP' ? this.firstTransport ?? undefined : undefined),
      allow: '',
      supported: o.supported.join(', '),
      dialogHeaders: [],
      nodeId: o.nodeId ?? 'core',
      journalBarrier: o.journalBarrier ?? true,
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

  /** A new INVITE without To tag (RFC 3261 §8.2): 503 while draining, else admission. */
  onRequest(req: SipRequest, tx: ServerTransaction): void {
    if (this.draining) {
      tx.respond(buildResponse(req, 503, { toTag: generateTag(), headers: [['Retry-After', String(this.retryAfterSec)]] }))
      return
    }
    if (this.ctx === null) throw new Error('B2bua.attach(layer) must run before the first INVITE')
    if (tx.kind === 'ist') this.newInvite(req, tx, this.controller, this.ctx)
  }

  /** RFC 3261 §12.2.2: an in-dialog request goes to the call whose leg it names; false when none does. */
  onInDialogRequest(req: SipRequest, tx: ServerTransaction): boolean {
    const found = this.table.findLeg(req)
    if (found === undefined) return false
    found.call.onInDialogRequest(found.leg, req, tx)
    return true
  }

  /** A caller INVITE without To tag: merged-request check, admission, then a Call, a challenge or a refusal. */
  private newInvite(req: SipRequest, ist: InviteServerTransaction, controller: CallController, ctx: CallContext): void {
    const callId = req.callId!
    const fromTag = req.from?.tag
    if (fromTag !== undefined) {
      const existing = this.table.findOrigin(callId, fromTag)
      if (existing !== undefined) {
        // RFC 3261 §8.2.2.2: same Call-ID/From tag/CSeq as a call we have: a late retransmission (drop) or a merged request (482).
        if (existing.a.inviteSeq === req.cseq?.seq) ist.dropUnanswered()
        else ist.respond(buildResponse(req, 482, { toTag: generateTag() }))
        return
      }
    }
    if (ctx.contact === '') this.setIdentity(ctx, ist.transport)
    const caller = numberOf(req.from?.uri)
    const callee = numberOf(req.uri)
    const decision = controller.admit({ source: ist.source, request: req, caller, callee, nowMs: ctx.clock.now() })
    if ('then' in decision) {
      // Limits counted across nodes: the INVITE waits for Redis; its retransmissions are absorbed by the transaction.
      decision.then(
        (d) => this.decided(d, req, ist, caller, callee, ctx),
        (err: unknown) => {
          this.opts.log.error('admission failed', { err })
          if (ist.state === 'proceeding') ist.respond(buildResponse(req, 500, { toTag: generateTag() }))
        },
      )
      return
    }
    this.decided(decision, req, ist, caller, callee, ctx)
  }

  /** An admission's outcome: a Call, a challenge or a refusal (a caller who cancelled meanwhile only gets a CDR). */
  private decided(decision: Decision, req: SipRequest, ist: InviteServerTransaction, caller: string, callee: string, ctx: CallContext): void {
    if (ist.state !== 'proceeding') {
      if (decision.kind !== 'route') return
      decision.release()
      return this.recordRefusal(req, ist, {
        kind: 'reject', status: 487, reason: 'CallerCancel', silent: false, recordCdr: true,
        mappingGatewayId: decision.mappingGatewayId, accountId: decision.accountId,
      }, caller, callee, ctx)
    }
    switch (decision.kind) {
      case 'route':
        // RFC 3261 §17.2.1: the call sends 100 Trying once its start is journaled, so a silently dropped INVITE never saw
        // one (the layer runs with autoTrying off) and an admitted one always ends in a CDR, even after a crash.
        new Call(ctx, this.table, decision, req, ist, { caller, callee, source: ist.source }).start()
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
    if (d.recordCdr) this.recordRefusal(req, ist, d, caller, callee, ctx)
  }

  /** The refusal's CDR (the caller heard `d.status` unless the refusal was silent). */
  private recordRefusal(req: SipRequest, ist: InviteServerTransaction, d: RejectDecision, caller: string, callee: string, ctx: CallContext): void {
    const now = epochMs(ctx.clock)
    const cdr = refusalCdr({
      id: ctx.newCdrId(now), callId: req.callId ?? '', atMs: now, caller, callee, accountId: d.accountId, mappingGatewayId: d.mappingGatewayId,
      sourceIp: ist.source.address, sourcePort: ist.source.port, sourceTransport: sipTransport(ist.transport), nodeId: ctx.nodeId,
      reason: d.reason, sipCode: d.silent ? null : d.status, ...(d.notes === undefined ? {} : { notes: d.notes }),
    })
    ctx.observer.onCallEnded(cdr).catch(ctx.onObserverError)
  }

  /** Contact and From host of both legs: the advertised address, else the transport's (IPv6 bracketed). */
  private setIdentity(ctx: CallContext, transport: Transport): void {
    this.firstTransport = transport
    const host = this.opts.advertisedHost ?? transport.local.address
    const port = this.opts.advertisedPort ?? transport.local.port
    const hostport = (host.indexOf(':') !== -1 ? '[' + host + ']' : host) + ':' + port
    const c = ctx as { -readonly [K in keyof CallContext]: CallContext[K] }
    c.hostport = hostport
    c.contact = '<sip:' + hostport + '>'
    c.allow = (this.router?.allow ?? []).join(', ')
    const h: Array<readonly [string, string]> = [['Contact', c.contact], ['Allow', c.allow]]
    if (ctx.supported.length > 0) h.push(['Supported', ctx.supported])
    c.dialogHeaders = h
  }

  /**
   * Our Contact on `transport`: UDP and TCP share the advertised port (the node listens on both); TLS has its own port.
   * The transport parameter keeps in-dialog requests on the leg's transport (RFC 3263 would pick UDP without it).
   */
  private contactFor(transport: Transport): string {
    let c = this.contacts.get(transport)
    if (c !== undefined) return c
    const host = this.opts.advertisedHost ?? transport.local.address
    const h = host.indexOf(':') !== -1 ? '[' + host + ']' : host
    if (transport.protocol === 'UDP') c = '<sip:' + h + ':' + (this.opts.advertisedPort ?? transport.local.port) + '>'
    else if (transport.protocol === 'TCP') c = '<sip:' + h + ':' + (this.opts.advertisedPort ?? transport.local.port) + ';transport=tcp>'
    else c = '<sip:' + h + ':' + transport.local.port + ';transport=tls>'
    this.contacts.set(transport, c)
    return c
  }

  /** An ACK for a 2xx (RFC 3261 §13.2.2.4): to the call whose leg it names; false when none does. */
  onAck(ack: SipRequest): boolean {
    const found = this.table.findLeg(ack)
    if (found === undefined) return false
    found.call.onAck(found.leg, ack)
    return true
  }

  /** RFC 3261 §9.2: the CANCEL was answered 200 by the layer; the call sends 487 and cancels its attempt. */
  onCancel(_cancel: SipRequest, invite: InviteServerTransaction): void {
    const owner = invite.userData
    if (owner instanceof Call) return owner.onCallerCancel()
    if (owner === SILENT) return
    if (invite.state === 'proceeding') invite.respond(buildResponse(invite.request, 487, { toTag: generateTag() }))
  }

  /** RFC 6026 §7.2: a 2xx with no transaction: a B leg re-sends its ACK; false when no B leg is named. */
  onStray2xx(res: SipResponse): boolean {
    const leg = this.table.findLegForResponse(res)?.leg
    if (leg === undefined || leg.side !== 'b') return false
    leg.onStray2xx(res)
    return true
  }
}
