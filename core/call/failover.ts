// Serial failover over a call's route: one attempt (leg B) at a time, the next target when one fails, and the caller's final answer when none is left.
import { gatewaySkipNote } from '../../shared/routing/skip-notes.js'
import type { TerminationReason } from '../../shared/termination/reasons.js'
import type { Logger } from '../lib/log.js'
import type { SipResponse } from '../sip/message/message.js'
import type { AttemptRecord, CallEnding } from './cdr-facts.js'
import type { AttemptOwner, UacLeg } from './legs/uac-leg.js'
import { sipTransport, type RouteDecision, type RouteTarget } from './ports.js'
import { redirectChoices } from './redirect-contacts.js'
import type { AttemptPhase } from './timers.js'

/**
 * The reason an attempt timer ends an attempt with: no response at all is an unreachable gateway (InviteTimeout);
 * 100 Trying alone is a reachable but slow vendor (TryingTimeout); ringing or progress without an answer, GatewayTimeout.
 */
export function timeoutReason(phase: AttemptPhase): TerminationReason {
  return phase === 'invite' ? 'InviteTimeout' : phase === 'trying' ? 'TryingTimeout' : 'GatewayTimeout'
}

/** Gateways found full at attempt time named in the CDR's notes, at most (the CDR keeps 50 notes). */
const MAX_BUSY_NOTES = 5

/** Why the last attempt failed: decides the caller's final status when failover ends. */
interface LastOutcome {
  reason: TerminationReason
  status: number | null
  phrase?: string
}

/** What the failover needs of its call (the call implements it). */
export interface FailoverCall {
  /** False once the call was answered or ended: no attempt starts, fails over or reports then. */
  readonly unanswered: boolean
  readonly log: Logger
  /** True when debug lines are wanted (the call's logger is made only then). */
  readonly debug: boolean
  /** Integer epoch ms for the CDR. */
  nowMs(): number
  /** Builds leg B toward `target` with the call's offer (not sent yet); `owner` hears from it; null when the node lacks its transport. */
  newAttempt(target: RouteTarget, owner: AttemptOwner): UacLeg | null
  /** Sends the attempt: CDR facts, the call table, the attempt timer and counters, then the INVITE. */
  sendAttempt(leg: UacLeg): void
  /** Adds a note to the call's CDR. */
  note(text: string): void
  /** The attempt timer stops and the attempt is recorded for the CDR. */
  attemptClosed(record: AttemptRecord): void
  /** The attempt's line went back (`UacLeg.release`): it leaves the call table. */
  attemptReleased(leg: UacLeg): void
  /** The first 100 Trying of the current attempt. */
  onAttemptTrying(leg: UacLeg): void
  /** A 18x of the current attempt (`reliable`: RFC 3262, the leg PRACKs it unless the call holds the PRACK). */
  onAttemptProvisional(leg: UacLeg, res: SipResponse, reliable: boolean): void
  /** The current attempt answered while the call was unanswered. */
  onAttemptAnswered(leg: UacLeg, res: SipResponse): void
  /** A failed attempt after a relayed 18x: the call is routing again. */
  backToRouting(): void
  /** No attempt left, or a stop-switching code: the caller's final answer (`ending.sipCode`, `phrase`, `headers`) and the call's end. */
  refuseCaller(ending: CallEnding, phrase?: string, headers?: ReadonlyArray<readonly [string, string]>): void
}

/** A final answer without a target for the caller: a 3xx the call did not relay (its Contact went elsewhere or nowhere). */
const UNREDIRECTED = { status: 480, phrase: 'Temporarily Unavailable' } as const

/** The attempts of one call in route order, capped at SS_MAX_ROUTING_ATTEMPTS. */
export class Failover implements AttemptOwner {
  private readonly call: FailoverCall
  private readonly decision: RouteDecision
  private readonly maxAttempts: number
  private leg: UacLeg | null = null
  private nextTarget = 0
  private attemptsMade = 0
  private sawBusy = false
  private busyNoted = 0
  private last: LastOutcome | null = null
  /** SS_REDIRECT_MODE follow: Contact targets of 3xx still to try, before the rest of the route. */
  private redirects: RouteTarget[] = []
  /** Redirect targets taken so far (SS_REDIRECT_MAX_FOLLOW). */
  private followed = 0

  constructor(call: FailoverCall, decision: RouteDecision) {
    this.call = call
    this.decision = decision
    this.maxAttempts = decision.params.SS_MAX_ROUTING_ATTEMPTS
  }

  /** The attempt in flight or answered; null between attempts and after the end. */
  get current(): UacLeg | null {
    return this.leg
  }

  /** Next target that can take the call, capped at SS_MAX_ROUTING_ATTEMPTS; none left: the final answer to the caller. */
  tryNext(): void {
    const targets = this.decision.targets
    while ((this.redirects.length > 0 || this.nextTarget < targets.length) && this.attemptsMade < this.maxAttempts) {
      const t = this.redirects.shift() ?? targets[this.nextTarget++]!
      const got = this.decision.acquire(t)
      if (got === true || got === false) {
        if (this.attempt(t, got)) return
        continue
      }
      // Lines counted across nodes: the loop goes on once Redis answered, unless the call ended meanwhile.
      got.then(
        (ok) => {
          if (!this.call.unanswered) return ok ? this.decision.releaseTarget(t) : undefined
          if (!this.attempt(t, ok)) this.tryNext()
        },
        (err: unknown) => {
          this.call.log.error('line take failed', { err })
          if (this.call.unanswered) this.tryNext()
        },
      )
      return
    }
    this.giveUp()
  }

  /** Sends the attempt to `t` once its line is taken; false when it is skipped (full: busy, or no transport). */
  private attempt(t: RouteTarget, taken: boolean): boolean {
    // A gateway that filled up since the decision is skipped as busy.
    if (!taken) {
      // Named like routing's own line-limit skips, so the diagnosis finds the full vendor either way.
      if (this.busyNoted++ < MAX_BUSY_NOTES) this.call.note(gatewaySkipNote(t.routingGatewayId, 'lineLimit', t.matchedPrefix))
      this.sawBusy = true
      return false
    }
    const leg = this.call.newAttempt(t, this)
    if (leg === null) {
      this.decision.releaseTarget(t)
      return false
    }
    this.attemptsMade++
    this.leg = leg
    this.call.sendAttempt(leg)
    return true
  }

  /** SS_SIP_TIMEOUT_*: give the attempt up (CANCEL now or after its first provisional) and fail over. */
  timeout(phase: AttemptPhase): void {
    const leg = this.leg
    if (leg === null || !this.call.unanswered) return
    const reason = timeoutReason(phase)
    const code = leg.abandon()
    this.close(leg, code, reason)
    this.last = { reason, status: null }
    this.failover(leg)
  }

  /** Deviation: RFC 3261 §15 lets only the caller end an early dialog; a gateway doing it is taken as 480 and failed over. */
  endedEarly(leg: UacLeg): void {
    leg.abandon()
    this.close(leg, 480, 'GatewayRejected')
    this.last = { reason: 'GatewayRejected', status: 480, phrase: 'Temporarily Unavailable' }
    this.failover(leg)
  }

  /** Lets the unanswered attempt go (CANCEL) and records it with `reason`. */
  drop(reason: TerminationReason): void {
    const leg = this.leg
    if (leg === null) return
    this.close(leg, leg.abandon(), reason)
  }

  /** The call ends: an unanswered attempt is cancelled, and the current attempt is recorded with the call's reason. */
  end(reason: TerminationReason, endedAtMs: number): void {
    const leg = this.leg
    if (leg === null) return
    // Every path that ends an unanswered call cancels its attempt first; this keeps a forgotten one from ringing on.
    if (leg.attached && leg.state !== 'answered') leg.abandon()
    const answered = leg.state === 'answered'
    this.call.attemptClosed({
      routingGatewayId: leg.target.routingGatewayId, sipCode: answered ? 200 : null, reason, startedAtMs: leg.startedAtMs, endedAtMs,
      matchedPrefix: leg.target.matchedPrefix, pddMs: leg.pddMs, transport: sipTransport(leg.wireTransport),
    })
    leg.release()
  }

  // ---- AttemptOwner ------------------------------------------------------------------------------

  onAttemptTrying(leg: UacLeg): void {
    if (leg === this.leg && this.call.unanswered) this.call.onAttemptTrying(leg)
  }

  onAttemptProvisional(leg: UacLeg, res: SipResponse, reliable: boolean): void {
    if (leg === this.leg && this.call.unanswered) this.call.onAttemptProvisional(leg, res, reliable)
  }

  /** The answer of the current attempt goes to the call; any other (a leg given up on) is ended at once. */
  onAttemptAnswered(leg: UacLeg, res: SipResponse): void {
    if (leg !== this.leg || !this.call.unanswered) {
      leg.hangup()
      return
    }
    this.call.onAttemptAnswered(leg, res)
  }

  /** The current attempt failed (3xx-6xx, Timer B, transport): a redirect, a stop-switching code, failover or the final answer. */
  onAttemptFailed(leg: UacLeg, status: number | null, phrase: string, res?: SipResponse): void {
    if (leg !== this.leg || !this.call.unanswered) return
    const redirect = status !== null && status >= 300 && status < 400 && res !== undefined
    const mode = this.decision.params.SS_REDIRECT_MODE
    if (redirect && mode !== 'failover') return mode === 'relay' ? this.relayRedirect(leg, status, phrase, res) : this.followRedirect(leg, status, phrase, res)
    const reason: TerminationReason = status !== null ? 'GatewayRejected' : leg.lastProvisional > 0 ? 'GatewayTimeout' : leg.trying ? 'TryingTimeout' : 'InviteTimeout'
    if (this.call.debug) this.call.log.debug('attempt failed', { routingGatewayId: leg.target.routingGatewayId, status, reason })
    if (redirect) this.call.note(`routing gateway ${leg.target.routingGatewayId} redirected (${status}) to ${contactList(res)}: taken as a failure (SS_REDIRECT_MODE failover)`)
    this.close(leg, status, reason)
    this.last = { reason, status, phrase }
    // docs/architecture.md "Routing": a code in the gateway's stop-switching list goes to the caller as is (a 3xx with its Contact).
    if (status !== null && leg.target.stopSwitchingCodes.includes(status)) {
      return this.call.refuseCaller({ reason: 'GatewayRejected', sipCode: status }, phrase, redirect ? contactHeaders(res) : undefined)
    }
    this.failover(leg)
  }

  /** SS_REDIRECT_MODE relay: the 3xx goes to the caller with its Contacts (RFC 3261 §21.3); the call ends GatewayRedirected. */
  private relayRedirect(leg: UacLeg, status: number, phrase: string, res: SipResponse): void {
    this.close(leg, status, 'GatewayRedirected')
    const note = `routing gateway ${leg.target.routingGatewayId} redirected (${status}) to ${contactList(res)}: relayed to the caller (SS_REDIRECT_MODE relay)`
    this.call.refuseCaller({ reason: 'GatewayRedirected', sipCode: status, note }, phrase, contactHeaders(res))
  }

  /**
   * SS_REDIRECT_MODE follow: the 3xx's Contacts the policy allows (SS_REDIRECT_FOLLOW_TARGETS), in q order and at most
   * SS_REDIRECT_MAX_FOLLOW per call, are tried next, each as an attempt of its own; none allowed = a failure.
   */
  private followRedirect(leg: UacLeg, status: number, phrase: string, res: SipResponse): void {
    this.close(leg, status, 'GatewayRedirected')
    this.last = { reason: 'GatewayRejected', status, phrase }
    const max = this.decision.params.SS_REDIRECT_MAX_FOLLOW
    const taken: RouteTarget[] = []
    const refused: string[] = []
    let over = 0
    for (const c of redirectChoices(res)) {
      const t = c.contact === null ? null : (this.decision.redirectTarget?.(c.contact, leg.target) ?? null)
      if (t === null) refused.push(c.uri)
      else if (this.followed + taken.length >= max) over++
      else taken.push(t)
    }
    this.followed += taken.length
    const parts = [`routing gateway ${leg.target.routingGatewayId} redirected (${status}) to ${contactList(res)}`]
    if (taken.length > 0) parts.push(`following ${taken.map((t) => `${t.calleeOut}@${t.routingGatewayId}`).join(', ')}`)
    if (refused.length > 0) parts.push(`not allowed (SS_REDIRECT_FOLLOW_TARGETS ${this.decision.params.SS_REDIRECT_FOLLOW_TARGETS}): ${refused.join(', ')}`)
    if (over > 0) parts.push(`${over} over SS_REDIRECT_MAX_FOLLOW`)
    this.call.note(parts.join('; '))
    this.redirects = [...taken, ...this.redirects]
    if (taken.length === 0) return this.failover(leg)
    this.call.backToRouting()
    this.tryNext()
  }

  /** The leg let go: its gateway line goes back and it is no longer the current attempt. */
  onAttemptReleased(leg: UacLeg): void {
    this.decision.releaseTarget(leg.target)
    this.call.attemptReleased(leg)
    if (this.leg === leg) this.leg = null
  }

  // ---- the loop ----------------------------------------------------------------------------------

  /** Failover ended without an answer: the final status and reason follow the last attempt (the termination catalogue). */
  private giveUp(): void {
    const l = this.last
    if (l === null) return this.call.refuseCaller({ reason: this.sawBusy ? 'AllGatewayBusy' : 'NoAvailableRouter', sipCode: 503 })
    if (l.reason === 'GatewayRejected' && l.status !== null) {
      // A 3xx without its Contact would point nowhere: the caller hears the callee is unavailable instead.
      if (l.status < 400) return this.call.refuseCaller({ reason: 'GatewayRejected', sipCode: UNREDIRECTED.status }, UNREDIRECTED.phrase)
      return this.call.refuseCaller({ reason: 'GatewayRejected', sipCode: l.status }, l.phrase)
    }
    this.call.refuseCaller({ reason: l.reason, sipCode: 408 })
  }

  private failover(leg: UacLeg): void {
    if (!leg.target.switchUntilConnect) return this.giveUp()
    this.call.backToRouting()
    this.tryNext()
  }

  /** Records the attempt for the CDR and gives its gateway line back (once). */
  private close(leg: UacLeg, status: number | null, reason: TerminationReason): void {
    this.call.attemptClosed({
      routingGatewayId: leg.target.routingGatewayId, sipCode: status, reason, startedAtMs: leg.startedAtMs, endedAtMs: this.call.nowMs(),
      matchedPrefix: leg.target.matchedPrefix, pddMs: leg.pddMs, transport: sipTransport(leg.wireTransport),
    })
    leg.release()
  }
}

/** The 3xx's Contact header lines, as the gateway wrote them. */
function contactHeaders(res: SipResponse): Array<readonly [string, string]> {
  return res.headers.lines('contact').map((v) => ['Contact', v] as const)
}

/** The 3xx's Contact URIs for a CDR note. */
function contactList(res: SipResponse): string {
  const uris = (res.contacts ?? []).map((c) => c.uri)
  return uris.length === 0 ? 'no Contact' : uris.join(', ')
}
