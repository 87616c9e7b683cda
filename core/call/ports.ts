// Interfaces the call layer owns and the layers above implement: admission (policy, layer 4) and call observation (CDR sink, layer 5).
import type { RatingRate } from '../../shared/billing/rating.js'
import type { CdrCreate } from '../../shared/entities/cdr.js'
import type { SIP_TRANSPORTS } from '../../shared/entities/enums.js'
import type { SystemParams } from '../../shared/params/system-params.js'
import type { CallerIdOut } from '../../shared/routing/caller-id.js'
import type { RouteCandidate, RouteRejection } from '../../shared/routing/route.js'
import type { TerminationReason } from '../../shared/termination/reasons.js'
import type { SipRequest } from '../sip/message/message.js'
import type { RemoteAddr, Transport } from '../transport/types.js'

/** A SIP transport as configuration and CDRs name it. */
export type SipTransport = (typeof SIP_TRANSPORTS)[number]

/** How configuration and CDRs name a transport's protocol. */
export function sipTransport(t: Transport): SipTransport {
  return t.protocol === 'TCP' ? 'tcp' : t.protocol === 'TLS' ? 'tls' : 'udp'
}

/** What the policy needs to know about a new out-of-dialog INVITE. */
export interface AdmissionRequest {
  /** Source address of the datagram (never a Via host). */
  source: RemoteAddr
  /** The INVITE itself: digest credentials (Authorization / Proxy-Authorization) are read from it. */
  request: SipRequest
  /** From user part (the calling number as received). */
  caller: string
  /** Request-URI user part (the called number as received). */
  callee: string
  nowMs: number
}

/** One routing attempt the call may make, in order: what the call layer needs of a shared routing candidate, plus failover and media settings. */
export interface RouteTarget extends Pick<
  RouteCandidate, 'routingGatewayId' | 'priority' | 'matchedPrefix' | 'protectRoute' | 'calleeOut' | 'callerOut' | 'host' | 'port'
> {
  /** How the caller is presented (absent: the number in From, no Privacy, no P-Asserted-Identity). */
  callerId?: CallerIdOut
  /** Transport towards the gateway (its `transport` setting, or the one a dynamic gateway registered over). */
  transport: SipTransport
  /** Where to send instead of host:port (a dynamic gateway's NAT binding); in-dialog requests go there too. */
  nextHop?: RemoteAddr
  switchUntilConnect: boolean
  stopSwitchingCodes: readonly number[]
  mediaProxy: boolean
  groupId: string | null
}

/** One Contact of a vendor's 3xx, as the call layer read it (RFC 3261 §21.3, §8.1.3.4). */
export interface RedirectContact {
  /** User part (the number to send on); null when the URI has none. */
  user: string | null
  host: string
  port: number | null
  /** The URI's `transport` parameter (`sips:` is tls); null when it names none. */
  transport: SipTransport | null
}

/** The policy admitted the call: where to send it and under which limits. */
export interface RouteDecision {
  kind: 'route'
  mappingGatewayId: string
  accountId: string
  caller: string
  callee: string
  /** Parameters of the config snapshot the decision was made on; the call keeps them for its whole life. */
  params: SystemParams
  /** Duration cap in seconds from the answer (smallest of SS_MAXCALLDURATION and the account's); 0 = none. */
  maxCallDurationSec: number
  /** Whether the mapping gateway asked for media to be relayed. */
  mediaProxy: boolean
  /** Candidates in order; the call layer tries at most SS_MAX_ROUTING_ATTEMPTS of them. */
  targets: readonly RouteTarget[]
  /** Gateways the routing skipped, with why (for logs and routing analysis). */
  rejected: readonly RouteRejection[]
  /** CDR notes from admission and routing (numbers a dial plan changed, gateways skipped offline or for price). */
  notes?: readonly string[]
  /**
   * Takes a line on the target's gateway and group now; false when it filled up since the decision (skip it: busy).
   * A promise when the lines are counted across nodes (Redis); it resolves false if the call ended meanwhile.
   */
  acquire(target: RouteTarget): boolean | Promise<boolean>
  /**
   * SS_REDIRECT_MODE follow: the attempt for a 3xx Contact after the attempt on `from` was redirected; null when
   * SS_REDIRECT_FOLLOW_TARGETS does not allow that target; absent = redirects are never followed.
   */
  redirectTarget?(contact: RedirectContact, from: RouteTarget): RouteTarget | null
  /** Gives back a line taken with `acquire`. */
  releaseTarget(target: RouteTarget): void
  /** Gives back the ingress line (mapping gateway and account) taken at admission; call once when the call ends. */
  release(): void
  /**
   * The call was answered on `target`: a prepaid rated account reserves its money and gets the seconds it can
   * pay for (0 = end it now); null or absent = no money cap.
   */
  answered?(target: RouteTarget, nowMs: number): number | null
  /** Fills the finished call's `cost` and `vendorCost` (once, before `release`); absent = unrated. */
  bill?(cdr: CdrCreate): void
  /** After `answered`: the prices the call is billed at, journaled so a crash can still bill it; null = unrated. */
  tariff?(): CallTariff | null
}

/** The prices of an answered call (kept with the open call so a crash still bills what was talked). */
export interface CallTariff {
  /** Customer rate (null: the account is unrated). */
  customer: RatingRate | null
  /** Vendor rate of the answering gateway's clearing account (null: no vendor cost). */
  vendor: RatingRate | null
  /** SERVER_BILLING_FEE_PRECISION of the call's snapshot. */
  precision: number
}

/** The request must be retried with credentials (RFC 3261 §22.2: 401 WWW-Authenticate or 407 Proxy-Authenticate). */
export interface ChallengeDecision {
  kind: 'challenge'
  status: 401 | 407
  /** Header lines to add to the challenge response, e.g. `['WWW-Authenticate', 'Digest realm=...']`. */
  headers: readonly (readonly [string, string])[]
}

/** The call is refused before any routing attempt. */
export interface RejectDecision {
  kind: 'reject'
  status: number
  reason: TerminationReason
  /** Drop the request without any answer (unknown source with SS_REPLY_UNAUTHORIZED off). */
  silent: boolean
  /** Whether a CDR is written for this refusal (false for unknown sources unless SS_RECORD_UNKNOWN_SOURCE). */
  recordCdr: boolean
  mappingGatewayId: string | null
  accountId: string | null
  headers?: readonly (readonly [string, string])[]
  /** CDR notes (e.g. gateways skipped as offline when none was left). */
  notes?: readonly string[]
}

/** What the policy decides for a new INVITE. */
export type Decision = RouteDecision | ChallengeDecision | RejectDecision

/** Implemented by the policy layer: identify, authenticate, check limits and route a new call. */
export interface CallController {
  /** A promise when limits are counted across nodes (Redis round trip). */
  admit(req: AdmissionRequest): Decision | Promise<Decision>
}

/** What is known when a call starts; journaled as "open" so a crash mid-call still yields a CDR. */
export interface CallSkeleton {
  id: string
  callId: string
  startedAtMs: number
  caller: string
  callee: string
  accountId: string | null
  mappingGatewayId: string | null
  sourceIp: string
  sourcePort: number
  /** Transport of the caller's INVITE (absent in open-call journal lines written before TCP/TLS: UDP). */
  sourceTransport?: SipTransport
  nodeId: string
}

/** Facts learned when the call is answered (kept with the open call so a crash bills what was talked). */
export interface CallAnswer {
  answeredAtMs: number
  routingGatewayId: string | null
  calleeOut: string | null
  pddMs: number | null
  /** Prices and the call's cap (0 = none), when the call is rated. */
  tariff?: CallTariff | null
  capSec?: number
}

/** Implemented by the CDR sink: sees every call start, answer and end; each promise resolves once durable. */
export interface CallObserver {
  onCallStarted(call: CallSkeleton): Promise<void>
  onCallAnswered(id: string, answer: CallAnswer): Promise<void>
  onCallEnded(cdr: CdrCreate): Promise<void>
}
