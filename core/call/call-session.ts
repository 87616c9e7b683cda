// A call's RFC 4028 session timers: leg A's terms from the caller's INVITE, leg B's from the gateway's 2xx, the headers each relayed request and answer carries, our refreshes and the absorbed pure refreshes.
import { buildResponse } from '../sip/message/build.js'
import { EMPTY_BODY, type SipRequest, type SipResponse } from '../sip/message/message.js'
import type { ClientTransaction, ServerTransaction, TransactionUser } from '../sip/transaction/types.js'
import type { CallContext } from './call-context.js'
import type { Leg } from './legs/leg.js'
import type { UacLeg } from './legs/uac-leg.js'
import type { UasLeg } from './legs/uas-leg.js'
import {
  callerAnswerHeaders, LegSession, negotiateCallee, negotiateCaller, peerAnswerTerms, peerRequestTerms, refreshAnswerHeaders,
  requestHeaders, type CallerSession, type SessionParams, type SessionTimerOwner,
} from './session-timer.js'

/** The SDP last sent to a leg (a re-INVITE refresh repeats it: RFC 4028 §7.4 wants no change to the session). */
interface SentSdp {
  body: Buffer
  contentType: string | undefined
}

const NONE: ReadonlyArray<readonly [string, string]> = []

/**
 * The SDP as the call keeps it: the usual content type as our own literal, not a slice of the message it came in,
 * which would keep that message's whole text alive as long as the call.
 */
function kept(body: Buffer, ct: string | undefined): SentSdp {
  return { body, contentType: ct === undefined ? ct : ct === 'application/sdp' || ct.toLowerCase() === 'application/sdp' ? 'application/sdp' : ct }
}

/** The node's part the session timers use. */
export type SessionsContext = Pick<CallContext, 'clock' | 'layer' | 'allow' | 'supported' | 'dialogHeaders'>

/** The call as its session timers see it (the call implements it). */
export interface SessionsCall {
  readonly a: UasLeg
  /** The current attempt (leg B), null between attempts. */
  readonly b: UacLeg | null
  /** Both legs confirmed and the caller's ACK in: refreshes go out only then. */
  readonly connected: boolean
  /** A relayed re-INVITE is in progress (one INVITE transaction at a time in a dialog). */
  readonly reinviteInProgress: boolean
  /** RFC 4028 §10: a leg's session expired or our refresh failed. */
  onSessionTimerExpired(side: 'a' | 'b', why: string): void
}

/** Both legs' session timers of one call; `dispose()` at the call's end. */
export class CallSessions implements SessionTimerOwner {
  readonly caller: CallerSession
  a: LegSession | null = null
  b: LegSession | null = null
  private sdpA: SentSdp | null = null
  private sdpB: SentSdp | null = null

  constructor(
    private readonly call: SessionsCall,
    private readonly ctx: SessionsContext,
    invite: SipRequest,
    private readonly params: SessionParams,
  ) {
    this.caller = negotiateCaller(invite, params)
  }

  /** RFC 4028 §6 / §8.1: 422 with our Min-SE for a caller interval below it; returns false when it was sent. */
  admitCaller(): boolean {
    if (this.caller.kind !== 'tooSmall') return true
    this.call.a.reject(422, 'Session Interval Too Small', [['Min-SE', String(this.caller.minSeSec)]])
    return false
  }

  /** Headers of our 2xx to the caller's INVITE (Session-Expires with refresher, Require: timer). */
  get callerAnswerHeaders(): ReadonlyArray<readonly [string, string]> {
    return this.caller.kind === 'on' ? callerAnswerHeaders(this.caller.terms) : NONE
  }

  /** The session of `leg`, null when that leg has no session timer. */
  of(leg: Leg): LegSession | null {
    return leg.side === 'a' ? this.a : this.b
  }

  /** The call was answered: leg A runs the caller's terms, leg B the gateway's 2xx terms (none without Session-Expires, §7.2). */
  start(bRes: SipResponse, sdpToA: SentSdp, sdpToB: SentSdp): void {
    const clock = this.ctx.clock
    this.sdpA = kept(sdpToA.body, sdpToA.contentType)
    this.sdpB = kept(sdpToB.body, sdpToB.contentType)
    if (this.caller.kind === 'on') this.a = new LegSession(clock, 'a', this, this.caller.terms)
    const tb = negotiateCallee(bRes, this.params)
    if (tb !== null) this.b = new LegSession(clock, 'b', this, tb)
  }

  /** Records the SDP sent to `leg` (our 2xx, a relayed offer or answer, a late-offer ACK). */
  sdpSent(leg: Leg, body: Buffer, contentType: string | undefined): void {
    if (body.length === 0) return
    if (leg.side === 'a') this.sdpA = kept(body, contentType)
    else this.sdpB = kept(body, contentType)
  }

  /** Session-Expires for a request we send on `to` (relayed re-INVITE/UPDATE or our refresh); none without a timer. */
  requestHeaders(to: Leg): ReadonlyArray<readonly [string, string]> {
    const s = this.of(to)
    return s === null ? NONE : requestHeaders(s.terms)
  }

  /** A re-INVITE/UPDATE from `from` below our Min-SE gets 422 (§8.1) instead of being relayed; true when it may go on. */
  admitRequest(from: Leg, req: SipRequest, tx: ServerTransaction): boolean {
    const s = this.of(from)
    if (s === null) return true
    const t = peerRequestTerms(req, s.terms, this.params)
    if (!('tooSmall' in t)) return true
    tx.respond(buildResponse(req, 422, { reason: 'Session Interval Too Small', headers: [['Min-SE', String(t.tooSmall)]] }))
    return false
  }

  /**
   * A relayed re-INVITE/UPDATE from `from` got a 2xx on `to`: both dialogs were refreshed (§10). Returns the headers
   * our 2xx to `from` adds (its Session-Expires and Require: timer, §9).
   */
  relayAnswered(from: Leg, to: Leg, req: SipRequest, res: SipResponse): ReadonlyArray<readonly [string, string]> {
    const st = this.of(to)
    st?.refreshed(peerAnswerTerms(res))
    const sf = this.of(from)
    if (sf === null) return NONE
    const t = peerRequestTerms(req, sf.terms, this.params)
    sf.refreshed('tooSmall' in t ? undefined : t)
    return refreshAnswerHeaders(sf.terms)
  }

  /**
   * An UPDATE without a body from a leg with a session timer is a pure refresh (RFC 4028 §7.4/§9): answered here with
   * 200, never relayed (the other leg keeps its own timer). Returns false when it is not one (the caller relays it).
   */
  absorbRefresh(leg: Leg, req: SipRequest, tx: ServerTransaction): boolean {
    const s = this.of(leg)
    if (s === null || req.method !== 'UPDATE' || req.body.length > 0) return false
    const t = peerRequestTerms(req, s.terms, this.params)
    if ('tooSmall' in t) {
      tx.respond(buildResponse(req, 422, { reason: 'Session Interval Too Small', headers: [['Min-SE', String(t.tooSmall)]] }))
      return true
    }
    // RFC 3311 §5.2: UPDATE is a target refresh request.
    leg.dialog?.refreshTarget(req)
    s.refreshed(t)
    tx.respond(buildResponse(req, 200, { headers: [...this.ctx.dialogHeaders, ...refreshAnswerHeaders(s.terms)] }))
    return true
  }

  /** §10: our refresh of a leg is due: UPDATE without SDP when the peer allows it, else re-INVITE with the leg's SDP. */
  onSessionRefreshDue(s: LegSession): void {
    const call = this.call
    const leg: Leg | null = s.side === 'a' ? call.a : call.b
    const d = leg?.dialog
    if (leg === null || leg === undefined || d === null || d === undefined || d.state !== 'confirmed' || !call.connected) return s.retryIn(2000)
    const sdp = s.side === 'a' ? this.sdpA : this.sdpB
    const method = s.terms.refreshMethod === 'UPDATE' || sdp === null ? 'UPDATE' : 'INVITE'
    // One INVITE transaction at a time in a dialog (RFC 3261 §14.1): a relayed re-INVITE in progress refreshes the leg anyway.
    if (method === 'INVITE' && call.reinviteInProgress) return s.retryIn(2000)
    const req = method === 'INVITE' ? d.createRequest('INVITE', sdp!.body, sdp!.contentType) : d.createRequest('UPDATE')
    for (const [n, v] of requestHeaders(s.terms)) req.headers.append(n, v)
    if (this.ctx.supported.length > 0) req.headers.append('supported', this.ctx.supported)
    if (method === 'INVITE') req.headers.append('allow', this.ctx.allow)
    leg.sendInDialog(req, new SessionRefresh(call, this.ctx, leg, s, d.localSeq, method))
  }

  /** §10: no refresh in time: the call ends with SessionTimerExpired. */
  onSessionExpired(s: LegSession): void {
    this.call.onSessionTimerExpired(s.side, 'no session refresh came in time (RFC 4028 §10)')
  }

  /** Stops both legs' timers. */
  dispose(): void {
    this.a?.dispose()
    this.b?.dispose()
  }
}

/** Our refresh request on one leg: a 2xx restarts the interval; 408/481/timeout end the call (§10); 422 retries larger. */
class SessionRefresh implements TransactionUser {
  private done = false

  constructor(
    private readonly call: SessionsCall,
    private readonly ctx: SessionsContext,
    private readonly leg: Leg,
    private readonly session: LegSession,
    private readonly seq: number,
    private readonly method: 'INVITE' | 'UPDATE',
  ) {}

  onResponse(res: SipResponse, _tx: ClientTransaction): void {
    const s = res.status
    if (s < 200) return
    const d = this.leg.dialog
    if (s < 300) {
      if (this.method === 'INVITE' && d !== null && d.state !== 'terminated') {
        // RFC 3261 §13.2.2.4 / RFC 6026 §7.2: ACK our re-INVITE's 2xx, and again for each retransmission.
        if (this.done) d.onRetransmitted2xx(res, this.ctx.layer)
        else d.sendAck(this.ctx.layer, this.seq, EMPTY_BODY)
      }
      if (this.done) return
      this.done = true
      d?.refreshTarget(res)
      this.session.refreshes++
      this.session.refreshed(peerAnswerTerms(res))
      return
    }
    if (this.done) return
    this.done = true
    // RFC 4028 §10: 408 or 481 to a refresh means the dialog is gone.
    if (s === 408 || s === 481) return this.fail(s)
    if (s === 422) {
      // RFC 4028 §7.4: the peer wants a longer interval: take its Min-SE and refresh again now.
      const min = Number(res.headers.first('min-se')?.split(';')[0] ?? 0)
      if (min > this.session.terms.intervalSec) this.session.terms = { ...this.session.terms, intervalSec: min }
      return this.session.retryIn(0)
    }
    // 491 glare, 5xx: the session stands until the guard; try again shortly (RFC 3261 §14.1 waits 2.1-4 s after a 491).
    this.session.retryIn(4000)
  }

  onTimeout(): void {
    if (this.done) return
    this.done = true
    this.fail(408)
  }

  onTransportError(): void {
    if (this.done) return
    this.done = true
    this.fail(503)
  }

  private fail(status: number): void {
    this.call.onSessionTimerExpired(this.leg.side, `our session refresh (${this.method}) failed with ${status} (RFC 4028 §10)`)
  }
}
