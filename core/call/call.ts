// One call through the B2BUA: leg A (the caller's INVITE), the failover's current leg B, the answer, and an end with exactly one termination reason; its state changes only through the transition table.
import type { TerminationReason } from '../../shared/termination/reasons.js'
import type { Logger } from '../lib/log.js'
import type { SipRequest, SipResponse } from '../sip/message/message.js'
import type { InviteServerTransaction } from '../sip/transaction/invite-server.js'
import type { ServerTransaction } from '../sip/transaction/types.js'
import type { RemoteAddr } from '../transport/types.js'
import { buildResponse } from '../sip/message/build.js'
import type { CallContext } from './call-context.js'
import { buildCdr, epochMs, type AttemptRecord, type CallEnding, type CallFacts } from './cdr-facts.js'
import { CallSessions, type SessionsCall } from './call-session.js'
import { isUnanswered, nextCallState, type CallState } from './call-state.js'
import { Failover, type FailoverCall } from './failover.js'
import type { DialogCall, PendingReinvite } from './in-dialog/dialog-call.js'
import { dispatchInDialog } from './in-dialog/dispatch.js'
import type { Leg } from './legs/leg.js'
import { UacLeg, type AttemptOwner } from './legs/uac-leg.js'
import { UasLeg, type CallerLegOwner } from './legs/uas-leg.js'
import { CallMedia, type CallMediaSummary } from './media-anchor.js'
import { sipTransport, type CallSkeleton, type RouteDecision, type RouteTarget } from './ports.js'
import { CallTimers, type AttemptPhase, type CallTimerOwner, type WarningPrompt } from './timers.js'

/** The facts admission knew about the caller (numbers as signalled, source address). */
export interface CallOrigin {
  caller: string
  callee: string
  source: RemoteAddr
}

/** One line of the status port's /v1/calls. */
export interface CallSummary {
  id: string
  callId: string
  state: CallState
  caller: string
  callee: string
  mappingGatewayId: string
  routingGatewayId: string | null
  calleeOut: string | null
  startedAtMs: number
  answeredAtMs: number | null
  attempts: number
  accountId: string
  /** RTP relayed so far from each side; null counters when the call is not relayed. */
  media: CallMediaSummary
}

/** Where a call is registered while it lasts (the B2BUA's call table): the call and each of its attempts. */
export interface CallRegistry {
  addCall(call: Call): void
  removeCall(call: Call): void
  addLeg(call: Call, leg: UacLeg): void
  removeLeg(leg: UacLeg): void
}

/** A B2BUA call; created by the B2BUA for an admitted INVITE, removed from the call table when it ends. */
export class Call implements CallTimerOwner, CallerLegOwner, FailoverCall, DialogCall, SessionsCall {
  readonly id: string
  readonly a: UasLeg
  readonly decision: RouteDecision
  readonly ctx: CallContext
  /** RFC 4028 session timers of both legs (call-session.ts). */
  readonly sessions: CallSessions
  /** The media relay's session when the call anchors media; the warning prompt plays through it. */
  media: WarningPrompt | null = null
  /** SDP anchoring and the relay's lifetime (media-anchor.ts); identity on SDP when the call is not relayed. */
  readonly callMedia: CallMedia
  private st: CallState = 'routing'
  private readonly registry: CallRegistry
  private readonly failover: Failover
  /** The in-dialog INVITE being relayed (one at a time; a second one gets 491, RFC 3261 §14.2). */
  private reinvite: PendingReinvite | null = null
  private readonly timers: CallTimers
  private readonly facts: CallFacts
  private readonly lateOffer: boolean
  /** The SDP answer the caller got in a 18x of the current attempt: its 200 repeats it when the gateway's 2xx has none (RFC 3262 §5). */
  private earlyAnswer: { body: Buffer; contentType: string | undefined } | null = null
  /** What the duration cap means when it fires: the money ran out when it was the binding limit. */
  private capReason: 'MaxCallDurationExceeded' | 'BalanceExhausted' = 'MaxCallDurationExceeded'
  private logger: Logger | undefined

  constructor(ctx: CallContext, registry: CallRegistry, decision: RouteDecision, invite: SipRequest, ist: InviteServerTransaction, origin: CallOrigin) {
    this.ctx = ctx
    this.registry = registry
    this.decision = decision
    const now = epochMs(ctx.clock)
    this.id = ctx.newCdrId(now)
    this.a = new UasLeg(ctx, this, invite, ist)
    this.timers = new CallTimers(ctx.clock, decision.params, this)
    this.sessions = new CallSessions(this, ctx, invite, decision.params)
    this.failover = new Failover(this, decision)
    // RFC 3264 §5 / RFC 3261 §13.2.1: an INVITE without SDP is a late offer: the caller's answer comes in its ACK.
    this.lateOffer = invite.body.length === 0
    const skeleton: CallSkeleton = {
      id: this.id, callId: this.a.callId, startedAtMs: now, caller: origin.caller, callee: origin.callee,
      accountId: decision.accountId, mappingGatewayId: decision.mappingGatewayId,
      sourceIp: origin.source.address, sourcePort: origin.source.port, sourceTransport: sipTransport(ist.transport), nodeId: ctx.nodeId,
    }
    this.facts = { skeleton, answeredAtMs: null, firstProgressAtMs: null, calleeOut: null, routingGatewayId: null, attempts: [], notes: decision.notes === undefined ? [] : [...decision.notes], capSec: decision.maxCallDurationSec }
    this.callMedia = new CallMedia({ env: ctx.media ?? null, mappingProxy: decision.mediaProxy, sdpIpFirst: decision.params.SS_NAT_MEDIA_SDP_IP_FIRST, callerIp: origin.source.address, facts: this.facts })
  }

  /** This call's logger: every line carries its Call-ID (leg A) and CDR id (made on first use, off the quiet path). */
  get log(): Logger {
    return (this.logger ??= this.ctx.log.child({ callId: this.a.callId, cdrId: this.id }))
  }

  /** True when debug lines are wanted. */
  get debug(): boolean {
    return this.ctx.log.enabled('debug')
  }

  /** Where the call stands (call-state.ts); it changes only through `enter`. */
  get state(): CallState {
    return this.st
  }

  /** The attempt in flight or answered (leg B); null between attempts and after the end. */
  get b(): UacLeg | null {
    return this.failover.current
  }

  /** Before the answer: a final non-2xx can still go to the caller. */
  get unanswered(): boolean {
    return isUnanswered(this.st)
  }

  /** Both legs confirmed and the caller's ACK in. */
  get connected(): boolean {
    return this.st === 'connected'
  }

  /** A relayed re-INVITE is in progress. */
  get reinviteInProgress(): boolean {
    return this.reinvite !== null
  }

  /** The one place the state changes: the transition table decides (call-state.ts). */
  private enter(next: CallState): void {
    this.st = nextCallState(this.st, next)
  }

  /** Registers the call, tells the observer and sends the first attempt. */
  start(): void {
    // RFC 4028 §8.1: an interval below our Min-SE is a 422 to retry, before any line or CDR (the retry is the call).
    if (!this.sessions.admitCaller()) return this.decision.release()
    this.a.ist.userData = this
    this.registry.addCall(this)
    this.ctx.counters.started.inc()
    this.ctx.counters.legs.labels('caller', sipTransport(this.a.ist.transport)).inc()
    // The caller hears of the call (100 Trying, then everything else) only once its start is on the journal's disk,
    // so a crash after that leaves an open call the next start closes with a CDR. The first attempt need not wait.
    const started = this.ctx.observer.onCallStarted(this.facts.skeleton).catch(this.ctx.onObserverError)
    if (this.ctx.journalBarrier) this.a.holdUntil(started)
    this.a.trying()
    this.failover.tryNext()
  }

  /** What /v1/calls shows for this call. */
  summary(): CallSummary {
    const f = this.facts
    return {
      id: this.id, callId: this.a.callId, state: this.state, caller: f.skeleton.caller, callee: f.skeleton.callee,
      mappingGatewayId: this.decision.mappingGatewayId, routingGatewayId: f.routingGatewayId, calleeOut: f.calleeOut,
      startedAtMs: f.skeleton.startedAtMs, answeredAtMs: f.answeredAtMs, attempts: f.attempts.length + (this.b === null ? 0 : 1),
      accountId: this.decision.accountId, media: this.callMedia.summary(),
    }
  }

  /** The other leg of `leg` (null when there is no current attempt). */
  otherLeg(leg: Leg): Leg | null {
    return leg === this.a ? this.b : this.a
  }

  // ---- attempts (the failover decides which; the call relays what they say) ----------------------------------------

  /** FailoverCall: integer epoch ms for the CDR. */
  nowMs(): number {
    return epochMs(this.ctx.clock)
  }

  /**
   * FailoverCall: leg B toward `target` over the gateway's transport, offering the caller's SDP (rewritten by the media
   * anchor when relayed); null when the node does not listen on that transport (noted for the CDR).
   */
  newAttempt(target: RouteTarget, owner: AttemptOwner): UacLeg | null {
    const transport = this.ctx.transportFor(target.transport === 'tcp' ? 'TCP' : target.transport === 'tls' ? 'TLS' : 'UDP')
    if (transport === undefined) {
      // TLS to a gateway while the node has no certificate (SIP_TLS_CERT_FILE/SIP_TLS_KEY_FILE): skipped, and said why.
      this.facts.notes.push(`routing gateway ${target.routingGatewayId} skipped: transport ${target.transport} is not enabled on this node`)
      return null
    }
    const offer = this.callMedia.offerToAttempt(target, this.a.invite)
    this.media = this.callMedia.session
    // RFC 3262: 100rel is offered to the gateway when the caller takes reliable provisionals, so an offer in one can be answered.
    return new UacLeg(this.ctx, owner, target, this.decision.params, this.a.invite, transport, offer, { offer100rel: this.a.reliability !== 'none' })
  }

  /** FailoverCall: the attempt goes out: its gateway in the CDR facts, the call table, the INVITE timer, the INVITE, the counters. */
  sendAttempt(leg: UacLeg): void {
    this.facts.calleeOut = leg.target.calleeOut
    this.facts.routingGatewayId = leg.target.routingGatewayId
    this.earlyAnswer = null
    this.registry.addLeg(this, leg)
    this.ctx.counters.attempts.inc()
    this.timers.armAttempt('invite')
    leg.start()
    this.ctx.counters.legs.labels('callee', sipTransport(leg.wireTransport)).inc()
  }

  /** FailoverCall: a note for the CDR (cut to the 500 characters a CDR note may have: a 3xx can list many Contacts). */
  note(text: string): void {
    this.facts.notes.push(text.length <= 500 ? text : text.slice(0, 497) + '...')
  }

  /** FailoverCall: the attempt timer stops and the attempt goes into the CDR. */
  attemptClosed(record: AttemptRecord): void {
    this.timers.clearAttempt()
    this.facts.attempts.push(record)
  }

  /** FailoverCall: the attempt's line went back; it leaves the call table. */
  attemptReleased(leg: UacLeg): void {
    this.registry.removeLeg(leg)
  }

  /** FailoverCall: an attempt failed after a relayed 18x. */
  backToRouting(): void {
    if (this.st === 'early') this.enter('routing')
  }

  /** FailoverCall: the caller's final answer (with `headers`: a relayed 3xx's Contact) and the end. */
  refuseCaller(ending: CallEnding, phrase?: string, headers?: ReadonlyArray<readonly [string, string]>): void {
    this.a.reject(ending.sipCode!, phrase, headers)
    this.end(ending)
  }

  /** FailoverCall: 100 Trying from the gateway: SS_SIP_TIMEOUT_INVITE is over, SS_SIP_TIMEOUT_TRYING waits for ringing. */
  onAttemptTrying(_leg: UacLeg): void {
    if (this.timers.phase === 'invite') this.timers.armAttempt('trying')
  }

  /**
   * A 18x of the current attempt: relayed to the caller with our tag; the attempt timer follows what it says. RFC 3262
   * §3: reliably when the caller requires 100rel, or supports it and the gateway sent this one reliably; an offer in a
   * reliable one (late offer) is answered in the caller's PRACK, which the gateway's PRACK then carries (§5).
   */
  onAttemptProvisional(leg: UacLeg, res: SipResponse, reliable: boolean): void {
    this.facts.firstProgressAtMs ??= epochMs(this.ctx.clock)
    if (this.st === 'routing') this.enter('early')
    const ct = res.headers.first('content-type')
    const body = this.callMedia.fromSide('b', this.lateOffer ? 'offer' : 'answer', res.body, ct)
    const toCallerReliably = this.a.reliability === 'required' || (this.a.reliability === 'supported' && reliable)
    if (body.length > 0 && !this.lateOffer) this.earlyAnswer = { body, contentType: ct }
    let onPrack: ((prack: SipRequest) => void) | undefined
    if (reliable && toCallerReliably && this.lateOffer && body.length > 0) {
      leg.holdPrack()
      onPrack = (prack) => {
        const pct = prack.headers.first('content-type')
        leg.releasePrack(this.callMedia.fromSide('a', 'answer', prack.body, pct), pct)
      }
    }
    this.a.provisional(res.status, res.reason, body, ct, toCallerReliably, onPrack)
    const sdp = res.body.length > 0
    const phase: AttemptPhase = res.status === 183 ? (sdp ? 'progressSdp' : 'progress') : 'ringing'
    this.timers.armAttempt(phase)
  }

  /** The current attempt answered: ACK it (early offer), 200 to the caller with its SDP, answered time = now. */
  onAttemptAnswered(leg: UacLeg, res: SipResponse): void {
    const now = epochMs(this.ctx.clock)
    this.timers.clearAttempt()
    this.enter('connecting')
    this.facts.answeredAtMs = now
    // RFC 3261 §13.2.2.4: early offer: ACK now; late offer: the ACK waits for the caller's SDP.
    if (!this.lateOffer) leg.ack()
    let ct = res.headers.first('content-type')
    let toCaller = this.callMedia.fromSide('b', this.lateOffer ? 'offer' : 'answer', res.body, ct)
    // RFC 3262 §5: the answer may have come in a reliable 18x only; the caller's 200 repeats it (RFC 3261 §13.2.1 wants it there).
    if (toCaller.length === 0 && this.earlyAnswer !== null) {
      toCaller = this.earlyAnswer.body
      ct = this.earlyAnswer.contentType
    }
    this.earlyAnswer = null
    const p = this.decision.params
    this.callMedia.watch(p.SS_NOMEDIAHANGUP, p.SS_NOMEDIAHANGUP_SIDE, () => this.hangup('NoMediaHangup', `no RTP for ${p.SS_NOMEDIAHANGUP} s (${p.SS_NOMEDIAHANGUP_SIDE} side)`))
    this.ctx.counters.answered.inc()
    const pdd = this.facts.firstProgressAtMs ?? now
    // The cap counts from the answer and is absolute (timers.ts); nothing later re-arms it. A prepaid balance that pays
    // for less than the duration cap becomes the cap, warned and ended as BalanceExhausted.
    const cap = this.decision.maxCallDurationSec
    const paidSec = this.decision.answered?.(leg.target, now) ?? null
    const byMoney = paidSec !== null && (cap === 0 || paidSec < cap)
    if (byMoney) {
      this.capReason = 'BalanceExhausted'
      this.facts.capSec = paidSec
    }
    const tariff = this.decision.tariff?.() ?? null
    // The 200 reaches the caller only once the answer is on the journal's disk (the start is already): after a crash
    // every call the caller saw answered is closed with a CDR billed to its last heartbeat. Group commit keeps the
    // wait to one shared fdatasync (softswitch_call_answer_journal_seconds).
    const heldAt = this.ctx.clock.now()
    const answerJournaled = this.ctx.observer
      .onCallAnswered(this.id, {
        answeredAtMs: now, routingGatewayId: leg.target.routingGatewayId, calleeOut: leg.target.calleeOut, pddMs: pdd - this.facts.skeleton.startedAtMs,
        ...(tariff === null ? {} : { tariff, capSec: byMoney ? paidSec : cap }),
      })
      .then(() => this.ctx.counters.answerJournal.observe((this.ctx.clock.now() - heldAt) / 1000), this.ctx.onObserverError)
    if (this.ctx.journalBarrier) this.a.holdUntil(answerJournaled)
    this.a.answerCall(toCaller, ct, this.sessions.callerAnswerHeaders)
    this.timers.armDuration(byMoney ? paidSec : cap, this.decision.params.SS_CALLREMINTIME)
    this.sessions.start(res, { body: toCaller, contentType: ct }, { body: leg.invite.body, contentType: leg.invite.headers.first('content-type') })
    // Another call of the account took what was left between admission and this answer: nothing to talk on.
    if (byMoney && paidSec === 0) this.hangup('BalanceExhausted')
  }

  /** SS_SIP_TIMEOUT_*: the failover gives the attempt up and goes on. */
  onAttemptTimeout(phase: AttemptPhase): void {
    this.failover.timeout(phase)
  }

  // ---- caller and callee events --------------------------------------------------------------------

  /** RFC 3261 §9.2: the caller's CANCEL (200 already sent by the layer): 487, cancel the attempt, never fail over. */
  onCallerCancel(): void {
    if (!isUnanswered(this.st)) return
    this.a.reject(487)
    this.failover.drop('CallerCancel')
    this.end({ reason: 'CallerCancel', sipCode: 487 })
  }

  /** The caller's ACK for a 2xx of ours: the initial answer (late offer: its SDP goes into leg B's ACK) or a relayed re-INVITE's. */
  onAck(leg: Leg, ack: SipRequest): void {
    if (leg === this.a && this.a.onAck(ack)) {
      if (this.st !== 'connecting') return
      this.enter('connected')
      const b = this.b
      if (this.lateOffer && b !== null) {
        const ct = ack.headers.first('content-type')
        const body = this.callMedia.fromSide('a', 'answer', ack.body, ct)
        b.ack(body, ct)
        this.sessions.sdpSent(b, body, ct)
      }
      return
    }
    if (this.reinvite !== null && this.reinvite.from === leg) this.reinvite.onAck(ack)
  }

  /** RFC 3261 §13.3.1.4: the caller never ACKed our 2xx within 64*T1: BYE both legs. */
  onCallerAckTimeout(seq: number): void {
    if (seq !== this.a.inviteSeq || this.st !== 'connecting') return
    this.hangupBoth({ reason: 'CallerHangup', sipCode: 200, note: 'the caller never acknowledged the 200 (RFC 3261 §13.3.1.4)' })
  }

  /** RFC 3262 §3: the caller never PRACKed a reliable provisional: 504 to it, the attempt cancelled (or BYEd once answered). */
  onCallerPrackTimeout(): void {
    if (this.st === 'ended') return
    this.a.reject(504, 'No PRACK')
    if (isUnanswered(this.st)) this.failover.drop('PrackTimeout')
    else this.b?.hangup()
    this.end({ reason: 'PrackTimeout', sipCode: 504, note: 'the caller never acknowledged a reliable provisional (RFC 3262 §3)' })
  }

  /**
   * RFC 3262 §3: a PRACK from the caller: 200 when its RAck names our unacknowledged reliable provisional (an SDP
   * answer in it goes on in the gateway's PRACK), 481 when it names none; the gateway's side never gets our reliable
   * provisionals, so a PRACK from it is 481 too.
   */
  onPrack(leg: Leg, req: SipRequest, tx: ServerTransaction): void {
    const acked = leg === this.a ? this.a.acknowledge(req) : null
    if (acked === null) {
      tx.respond(buildResponse(req, 481))
      return
    }
    // Deviation: an offer in a PRACK (RFC 3262 §5, after a provisional without one) is not relayed; the PRACK is still 200 (§3 MUST).
    if (req.body.length > 0 && acked.onAnswer === undefined && this.debug) this.log.debug('offer in PRACK not relayed')
    acked.onAnswer?.(req)
    tx.respond(buildResponse(req, 200, { headers: this.ctx.dialogHeaders }))
    this.a.afterPrack()
  }

  /** BYE from the caller (200 already sent): after the answer BYE the callee; before it (an early-dialog BYE) end like a CANCEL. */
  onCallerBye(): void {
    if (isUnanswered(this.st)) {
      this.a.reject(487)
      this.failover.drop('CallerCancel')
      this.end({ reason: 'CallerCancel', sipCode: 487 })
      return
    }
    this.a.answer?.stop()
    this.b?.hangup()
    this.end({ reason: 'CallerHangup', sipCode: 200 })
  }

  /** BYE from the callee (200 already sent): BYE the caller. */
  onCalleeBye(leg: UacLeg): void {
    if (leg !== this.b) return
    if (isUnanswered(this.st)) return this.failover.endedEarly(leg)
    // Deviation: in `connecting` the caller gets our BYE before its ACK (§15 asks to wait); the call is over either way.
    this.a.bye()
    this.end({ reason: 'CalleeHangup', sipCode: 200 })
  }

  /** SS_MAXCALLDURATION / account limit / prepaid balance reached: BYE both legs (billed at most the cap, shared/billing/billed-duration.ts). */
  onDurationExceeded(): void {
    this.hangup(this.capReason)
  }

  /** SS_CALLREMINTIME before the cap: the prompt to the caller through the media relay; skipped (and noted) without one. */
  onRemindDue(): void {
    if (this.st !== 'connected' && this.st !== 'connecting') return
    const played = this.media?.playPrompt() ?? false
    if (played) this.facts.warningPlayed = true
    else this.facts.notes.push(this.media === null ? 'warning prompt skipped: no media relay' : 'warning prompt skipped: the media relay could not play it')
  }

  /** RFC 4028 §10: a leg's session expired or our refresh failed: BYE both legs with SessionTimerExpired. */
  onSessionTimerExpired(side: 'a' | 'b', why: string): void {
    this.hangup('SessionTimerExpired', `leg ${side === 'a' ? 'A (caller)' : 'B (callee)'}: ${why}`)
  }

  /**
   * Ends an answered call from the node's side (cap, session expiry, no media...): BYE to each leg that still has a
   * dialog, exactly once. The first reason wins; a later trigger (same tick or after) is a no-op.
   */
  hangup(reason: TerminationReason, note?: string): void {
    if (this.st === 'ended') return
    if (isUnanswered(this.st)) return this.terminate(reason)
    this.hangupBoth({ reason, sipCode: 200, ...(note === undefined ? {} : { note }) })
  }

  /** Ends the call from the node's side (shutdown): BYE after the answer, 503 + CANCEL before. */
  terminate(reason: TerminationReason): void {
    if (this.st === 'ended') return
    if (isUnanswered(this.st)) {
      this.a.reject(503)
      this.failover.drop(reason)
      this.end({ reason, sipCode: 503 })
      return
    }
    this.hangupBoth({ reason, sipCode: 200 })
  }

  /** An in-dialog request from either leg (RFC 3261 §12.2.2): CSeq guard, then one handler per method. */
  onInDialogRequest(leg: Leg, req: SipRequest, tx: ServerTransaction): void {
    dispatchInDialog(this, leg, req, tx)
  }

  /** DialogCall: `relay` is the call's re-INVITE in progress. */
  reinviteStarted(relay: PendingReinvite): void {
    this.reinvite = relay
  }

  /** DialogCall: `relay` is over. */
  reinviteEnded(relay: PendingReinvite): void {
    if (this.reinvite === relay) this.reinvite = null
  }

  private hangupBoth(ending: CallEnding): void {
    if (this.st === 'ended') return
    this.a.bye()
    this.b?.hangup()
    this.end(ending)
  }

  /** The one end of the call: timers off, lines back, table entries gone, one CDR. */
  private end(ending: CallEnding): void {
    if (this.st === 'ended') return
    this.enter('ended')
    const now = epochMs(this.ctx.clock)
    this.timers.dispose()
    this.sessions.dispose()
    this.a.stopRetransmissions()
    this.reinvite?.dispose()
    this.reinvite = null
    this.failover.end(ending.reason, now)
    // Ports and sockets back exactly once, on every path that ends the call; its counters go into the CDR notes.
    this.callMedia.close()
    this.registry.removeCall(this)
    const cdr = buildCdr(this.facts, ending, now)
    // Priced before the release: the charge counts against the balance before the reservation is given back.
    this.decision.bill?.(cdr)
    this.decision.release()
    this.ctx.counters.ended.labels(ending.reason).inc()
    if (cdr.pddMs !== null) this.ctx.counters.setup.observe(cdr.pddMs / 1000)
    if (this.ctx.log.enabled('debug')) this.log.debug('call ended', { reason: ending.reason, sipCode: ending.sipCode, attempts: this.facts.attempts.length })
    this.ctx.observer.onCallEnded(cdr).catch(this.ctx.onObserverError)
  }
}
