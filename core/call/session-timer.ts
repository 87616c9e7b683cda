// RFC 4028 session timers terminated per leg by the B2BUA: Session-Expires/Min-SE negotiation on each leg's INVITE, the refresher of each dialog, and one timer per leg (our refresh at half the interval, or the expiry guard when the peer refreshes).
import type { SystemParams } from '../../shared/params/system-params.js'
import type { Clock, TimerHandle } from '../lib/clock.js'
import { parseMinSe } from '../sip/message/headers/session-expires.js'
import type { SipMessage, SipRequest, SipResponse } from '../sip/message/message.js'

/** Who sends the refreshes of one leg's dialog: the node or the peer on that leg. */
export type Refresher = 'us' | 'peer'

/** The parameters session timers read. */
export type SessionParams = Pick<SystemParams, 'SS_SESSION_EXPIRES' | 'SS_SESSION_MIN_SE'>

/** Session interval and refresher of one leg, and how we refresh it. */
export interface SessionTerms {
  intervalSec: number
  refresher: Refresher
  /** The peer listed `timer` in Supported/Require (our 2xx then carries Require: timer, §9). */
  peerSupportsTimer: boolean
  /** RFC 4028 §7.4/§9: UPDATE when the peer allows it (no SDP needed), else re-INVITE with the leg's current SDP. */
  refreshMethod: 'UPDATE' | 'INVITE'
}

/** What the caller's INVITE asks for: no session timer, a 422 (interval below our Min-SE), or terms for leg A. */
export type CallerSession = { kind: 'off' } | { kind: 'tooSmall'; minSeSec: number } | { kind: 'on'; terms: SessionTerms }

const OFF: CallerSession = { kind: 'off' }

/** True when `msg` lists the `timer` option tag in Supported or Require. */
function supportsTimer(msg: SipMessage): boolean {
  return msg.supported.includes('timer') || msg.require.includes('timer')
}

/** UPDATE when the message's Allow lists it (RFC 3311), else re-INVITE. */
function refreshMethodOf(msg: SipMessage): 'UPDATE' | 'INVITE' {
  for (const m of msg.headers.all('allow')) if (m.trim().toUpperCase() === 'UPDATE') return 'UPDATE'
  return 'INVITE'
}

/** Min-SE of a message in seconds, 0 when absent or malformed. */
export function minSeOf(msg: SipMessage): number {
  const v = msg.headers.first('min-se')
  return v === undefined ? 0 : (parseMinSe(v) ?? 0)
}

/**
 * RFC 4028 §9 (UAS): below our Min-SE -> 422 (§6); otherwise the interval (ours may lower the caller's, never below
 * either Min-SE) and the refresher: the caller's own choice when it made one, else the caller when it supports
 * timer (it refreshes its own dialog, so a dead caller is found without our traffic), else us. SS_SESSION_EXPIRES 0 = off.
 */
export function negotiateCaller(invite: SipRequest, p: SessionParams): CallerSession {
  if (p.SS_SESSION_EXPIRES === 0) return OFF
  const se = invite.sessionExpires
  // RFC 4028 §8.1 / §6: a Session-Expires below our minimum is refused with 422 and our Min-SE.
  if (se !== undefined && se.deltaSec < p.SS_SESSION_MIN_SE) return { kind: 'tooSmall', minSeSec: p.SS_SESSION_MIN_SE }
  const supports = supportsTimer(invite)
  const intervalSec = Math.max(Math.min(se?.deltaSec ?? p.SS_SESSION_EXPIRES, p.SS_SESSION_EXPIRES), minSeOf(invite), p.SS_SESSION_MIN_SE)
  // RFC 4028 §9 table: a UAC without timer support never refreshes; one that chose keeps its choice.
  const refresher: Refresher = !supports ? 'us' : se?.refresher === 'uas' ? 'us' : 'peer'
  return { kind: 'on', terms: { intervalSec, refresher, peerSupportsTimer: supports, refreshMethod: refreshMethodOf(invite) } }
}

/** RFC 4028 §9: Session-Expires (refresher seen from the caller as UAC) and Require: timer for our 2xx to the caller. */
export function callerAnswerHeaders(t: SessionTerms): Array<readonly [string, string]> {
  return answerHeaders(t)
}

/** §9 for any 2xx we send to a request from the peer of `t` (the peer is the UAC of that transaction). */
function answerHeaders(t: SessionTerms): Array<readonly [string, string]> {
  const h: Array<readonly [string, string]> = [['Session-Expires', `${t.intervalSec};refresher=${t.refresher === 'peer' ? 'uac' : 'uas'}`]]
  if (t.peerSupportsTimer) h.push(['Require', 'timer'])
  return h
}

/** RFC 4028 §7.1 (UAC): Session-Expires and Min-SE for leg B's INVITE (the refresher is left to the gateway); none when off. */
export function calleeOfferHeaders(p: SessionParams, minSeSec = 0): Array<readonly [string, string]> {
  if (p.SS_SESSION_EXPIRES === 0) return []
  const min = Math.max(p.SS_SESSION_MIN_SE, minSeSec)
  return [['Session-Expires', String(Math.max(p.SS_SESSION_EXPIRES, min))], ['Min-SE', String(min)]]
}

/** RFC 4028 §7.2: leg B's terms from the gateway's 2xx; null when it carries no Session-Expires (no expiration then). */
export function negotiateCallee(res: SipResponse, p: SessionParams): SessionTerms | null {
  if (p.SS_SESSION_EXPIRES === 0) return null
  const se = res.sessionExpires
  if (se === undefined) return null
  // §7.2: refresher=uas makes the gateway refresh; uac (or, against §9, none) makes us the refresher.
  return { intervalSec: se.deltaSec, refresher: se.refresher === 'uas' ? 'peer' : 'us', peerSupportsTimer: true, refreshMethod: refreshMethodOf(res) }
}

/** Session-Expires (and Supported is already ours) for a request we send on a leg: refresher seen with us as UAC. */
export function requestHeaders(t: SessionTerms): Array<readonly [string, string]> {
  return [['Session-Expires', `${t.intervalSec};refresher=${t.refresher === 'us' ? 'uac' : 'uas'}`]]
}

/** Told when a leg's refresh is due (we refresh) or its session expired (no refresh came in time). */
export interface SessionTimerOwner {
  onSessionRefreshDue(session: LegSession): void
  onSessionExpired(session: LegSession): void
}

/**
 * One leg's session timer: with us as refresher a refresh at half the interval (§10 RECOMMENDED), then the expiry
 * guard; with the peer as refresher only the guard, at interval - min(32, interval/3) (§10). Any 2xx to a session
 * refresh request in the leg's dialog, either direction, starts the interval again.
 */
export class LegSession {
  terms: SessionTerms
  /** Refresh requests of ours that succeeded (tests, logs). */
  refreshes = 0
  private timer: TimerHandle | null = null
  private expiresAt = 0
  private disposed = false
  // Created at first use, not per instance: tsx (esbuild keepNames) names every class-field arrow with a defineProperty call.
  private fireRefresh: (() => void) | null = null
  private fireExpiry: (() => void) | null = null

  private onRefreshDue(): void {
    this.timer = null
    this.armGuard()
    this.owner.onSessionRefreshDue(this)
  }

  private onExpiry(): void {
    this.timer = null
    this.owner.onSessionExpired(this)
  }

  constructor(
    private readonly clock: Clock,
    readonly side: 'a' | 'b',
    private readonly owner: SessionTimerOwner,
    terms: SessionTerms,
  ) {
    this.terms = terms
    this.restart()
  }

  /** A 2xx to a session refresh (ours or the peer's): new terms when the message carried them, and a fresh interval. */
  refreshed(terms?: Partial<SessionTerms>): void {
    if (this.disposed) return
    if (terms !== undefined) this.terms = { ...this.terms, ...terms }
    this.restart()
  }

  /** Our refresh failed without ending the dialog (491, 5xx): try again after `ms` if the guard leaves time for it. */
  retryIn(ms: number): void {
    if (this.disposed || this.clock.now() + ms >= this.expiresAt) return
    this.timer?.cancel()
    this.timer = this.clock.after(ms, (this.fireRefresh ??= () => this.onRefreshDue()))
  }

  /** Stops the timer; later calls do nothing. */
  dispose(): void {
    this.disposed = true
    this.timer?.cancel()
    this.timer = null
  }

  private restart(): void {
    this.timer?.cancel()
    const ms = this.terms.intervalSec * 1000
    // RFC 4028 §10: the non-refresher gives up at the interval minus min(32 s, a third of it).
    this.expiresAt = this.clock.now() + ms - Math.min(32_000, ms / 3)
    if (this.terms.refresher === 'us') this.timer = this.clock.after(ms / 2, (this.fireRefresh ??= () => this.onRefreshDue()))
    else this.armGuard()
  }

  private armGuard(): void {
    this.timer?.cancel()
    this.timer = this.clock.after(Math.max(0, this.expiresAt - this.clock.now()), (this.fireExpiry ??= () => this.onExpiry()))
  }
}

/** A peer's refresh request on a leg: the terms it asks for (§9 applied to a mid-dialog request), or 422 below Min-SE. */
export function peerRequestTerms(req: SipRequest, t: SessionTerms, p: SessionParams): Partial<SessionTerms> | { tooSmall: number } {
  const se = req.sessionExpires
  if (se === undefined) return {}
  if (se.deltaSec < p.SS_SESSION_MIN_SE) return { tooSmall: p.SS_SESSION_MIN_SE }
  const out: Partial<SessionTerms> = { intervalSec: se.deltaSec }
  // The sender is the UAC of this transaction: refresher=uac names the peer, uas names us; absent keeps the current one.
  if (se.refresher === 'uac') out.refresher = 'peer'
  else if (se.refresher === 'uas') out.refresher = 'us'
  return out
}

/** The terms a 2xx from a leg's peer to a request of ours sets (§7.2 seen with us as UAC); empty without Session-Expires. */
export function peerAnswerTerms(res: SipResponse): Partial<SessionTerms> {
  const se = res.sessionExpires
  if (se === undefined) return {}
  return { intervalSec: se.deltaSec, refresher: se.refresher === 'uas' ? 'peer' : 'us' }
}

/** §9 headers for our 2xx to a peer's refresh request on a leg. */
export function refreshAnswerHeaders(t: SessionTerms): Array<readonly [string, string]> {
  return answerHeaders(t)
}
