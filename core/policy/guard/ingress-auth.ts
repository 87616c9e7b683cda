// Ingress authentication of one new INVITE, decided once: the pre-transaction screen answers challenges and refusals statelessly, the controller admits what it let through.
import type { DigestAlgorithm } from '../../../shared/auth/digest-hash.js'
import type { MappingGatewayRow } from '../../../shared/entities/mapping-gateway.js'
import { sourceIp } from '../../config/access-list.js'
import type { ConfigSnapshot } from '../../config/snapshot.js'
import type { CounterSeries, Metric, Metrics } from '../../lib/metrics.js'
import type { SipRequest } from '../../sip/message/message.js'
import type { RemoteAddr } from '../../transport/types.js'
import { credentialsFor, DigestAuthenticator, type ChallengeStatus } from '../digest.js'
import { acceptsDigest, identifySource, passwordSourceAllowed } from '../identify.js'
import type { AuthRefusalObserver, AuthRefusalReason } from './auth-refusals.js'
import type { RegisteredGateways } from '../registered.js'
import type { SourceGuard } from './source-guard.js'

/** What authentication made of a new INVITE. */
export type IngressVerdict =
  /** The mapping gateway the call comes from (by source address, or by a verified digest). */
  | { readonly kind: 'gateway'; readonly gateway: Readonly<MappingGatewayRow> }
  /** Retry with credentials (RFC 3261 §22.2): 407 Proxy-Authenticate or 401 WWW-Authenticate. */
  | { readonly kind: 'challenge'; readonly status: ChallengeStatus; readonly headers: readonly (readonly [string, string])[] }
  /**
   * 403 AuthenticationFailed, or silence (`silent`: SS_REPLY_UNAUTHORIZED off for an unknown source); `recordCdr` says
   * whether the refusal leaves a CDR (a known gateway's, or any with SS_RECORD_UNKNOWN_SOURCE).
   */
  | {
    readonly kind: 'refuse'
    readonly reason: AuthRefusalReason
    readonly gateway: Readonly<MappingGatewayRow> | null
    readonly silent: boolean
    readonly recordCdr: boolean
  }

/** Construction options. */
export interface IngressAuthOptions {
  metrics: Metrics
  /** 407 (default, as a proxy challenges) or 401. */
  challengeStatus?: ChallengeStatus
  digest?: DigestAuthenticator
  /** The ban logic (failure windows, username locks, unanswered challenges); absent in tests of the controller alone. */
  guard?: SourceGuard
  /** Told of every refused attempt (the guard, metrics, a persisted diagnosis). */
  refusals?: AuthRefusalObserver
  /** Live registrations: a dynamic gateway is identified by the source it registered from. */
  registered?: Pick<RegisteredGateways, 'mappingGatewayAt'>
}

/**
 * Identifies the source of a new INVITE (IP, IP+port) or verifies its digest. A verified digest's verdict is kept with
 * the request object, so the controller admits what the screen let through and the nonce count moves once; any other
 * verdict is decided again the same way (a lookup by source), or never reaches the controller (the screen answered it).
 */
export class IngressAuth {
  private readonly verdicts = new WeakMap<SipRequest, IngressVerdict>()
  private readonly digest: DigestAuthenticator
  private readonly challengeStatus: ChallengeStatus
  private readonly guard: SourceGuard | undefined
  private readonly refusals: AuthRefusalObserver | undefined
  /** policy_digest_total by outcome, each series kept (a challenge and a verified digest per call). */
  private readonly outcomes: Record<'ok' | 'challenge' | 'stale' | 'failed' | 'locked', CounterSeries>
  private readonly unknownSource: Metric
  private readonly registered: Pick<RegisteredGateways, 'mappingGatewayAt'> | undefined

  constructor(opts: IngressAuthOptions) {
    this.digest = opts.digest ?? new DigestAuthenticator()
    this.challengeStatus = opts.challengeStatus ?? 407
    this.guard = opts.guard
    this.refusals = opts.refusals
    this.registered = opts.registered
    const outcomes = opts.metrics.counter('policy_digest_total', 'digest checks by outcome', ['outcome'])
    this.outcomes = {
      ok: outcomes.labels('ok'), challenge: outcomes.labels('challenge'), stale: outcomes.labels('stale'), failed: outcomes.labels('failed'), locked: outcomes.labels('locked'),
    }
    this.unknownSource = opts.metrics.counter('sip_unknown_source_total', 'INVITEs from a source that is no mapping gateway')
  }

  /** The verdict for this INVITE (a verified digest's: the same object on every call). */
  authenticate(req: SipRequest, source: RemoteAddr, snapshot: ConfigSnapshot, nowMs: number): IngressVerdict {
    return this.verdicts.get(req) ?? this.decide(req, source, snapshot, nowMs)
  }

  private decide(req: SipRequest, source: RemoteAddr, snapshot: ConfigSnapshot, nowMs: number): IngressVerdict {
    const gateway = identifySource(snapshot, source)
    if (gateway !== undefined) return { kind: 'gateway', gateway }
    // A dynamic gateway's calls come from where it registered (its NAT binding), with no challenge.
    const registeredId = this.registered?.mappingGatewayAt(source)
    const registered = registeredId === undefined ? undefined : snapshot.mappingGateways.get(registeredId)
    if (registered?.dynamic === true) return { kind: 'gateway', gateway: registered }
    const params = snapshot.params
    const ip = sourceIp(source.address)
    if (!acceptsDigest(snapshot)) {
      this.unknownSource.inc()
      const portGateway = ipPortGatewayOf(snapshot, ip)
      this.emit(source, ip, nowMs, portGateway === undefined ? 'unknown_source' : 'ip_port_mismatch', portGateway ?? null, null)
      // SS_REPLY_UNAUTHORIZED off: answer nothing, so scanners learn nothing (VOS3000 behaviour). The source is not the
      // gateway, so its CDR (with SS_RECORD_UNKNOWN_SOURCE) names none.
      return { kind: 'refuse', reason: portGateway === undefined ? 'unknown_source' : 'ip_port_mismatch', gateway: null, silent: !params.SS_REPLY_UNAUTHORIZED, recordCdr: params.SS_RECORD_UNKNOWN_SOURCE }
    }
    const realm = params.SS_AUTH_REALM
    // Parsed once: the username for the lock check and the digest check read the same credentials.
    const creds = credentialsFor(req, realm)
    const username = creds?.username ?? null
    if (username !== null) {
      this.guard?.onCredentials(ip)
      // A locked username is refused before its digest is checked, so guessing cannot go on during the lock.
      const named = snapshot.mappingGatewaysByUsername.get(username)
      if (named !== undefined && this.guard?.userLocked(snapshot, named, ip, nowMs) === true) {
        this.outcomes.locked.inc()
        return this.refuse(source, ip, nowMs, 'user_locked', named, username, false, false)
      }
    }
    const outcome = this.digest.verifyCredentials(creds, req, (u) => snapshot.mappingGatewaysByUsername.get(u), realm, nowMs, params.SS_AUTH_NONCE_TTL * 1000)
    if (outcome.kind === 'challenge') {
      if (outcome.stale) this.outcomes.stale.inc()
      else this.outcomes.challenge.inc()
      // An IP+port gateway's address from another port (a NAT rewrote it) is refused as such even though the digest
      // fallback challenges it: the device has no password to answer with, and this is the only trace it leaves.
      const portGateway = username === null && !outcome.stale ? ipPortGatewayOf(snapshot, ip) : undefined
      if (portGateway !== undefined) this.emit(source, ip, nowMs, 'ip_port_mismatch', portGateway, null)
      if (!outcome.stale && this.guard?.onChallenge(snapshot, ip, nowMs) === true) this.emit(source, ip, nowMs, 'challenge_unanswered', null, null)
      return this.challenge(realm, nowMs, outcome.stale, params.SS_AUTH_DIGEST_FIRST)
    }
    if (outcome.kind === 'failed') {
      this.outcomes.failed.inc()
      const known = outcome.gateway
      const reason: AuthRefusalReason = outcome.why === 'malformed' ? 'bad_credentials' : known === null ? 'unknown_user' : 'wrong_password'
      // Known user with a wrong password, unknown user, or right password from an unlisted IP: the same 403 (RFC 7616 §5.1).
      return this.refuse(source, ip, nowMs, reason, known, username, false, known !== null || params.SS_RECORD_UNKNOWN_SOURCE)
    }
    if (!passwordSourceAllowed(outcome.gateway, source)) {
      this.outcomes.failed.inc()
      return this.refuse(source, ip, nowMs, 'source_not_allowed', outcome.gateway, username, false, true)
    }
    this.outcomes.ok.inc()
    this.guard?.onAuthenticated(outcome.gateway.id, ip)
    const verified: IngressVerdict = { kind: 'gateway', gateway: outcome.gateway }
    this.verdicts.set(req, verified)
    return verified
  }

  /** RFC 3261 §22.3: 407 with Proxy-Authenticate (or 401 with WWW-Authenticate), SHA-256 and MD5 offered together. */
  private challenge(realm: string, nowMs: number, stale: boolean, first: DigestAlgorithm): IngressVerdict {
    const status = this.challengeStatus
    return { kind: 'challenge', status, headers: this.digest.challengeHeaders(status, realm, nowMs, stale, first) }
  }

  private refuse(
    source: RemoteAddr, ip: string, nowMs: number, reason: AuthRefusalReason, gateway: Readonly<MappingGatewayRow> | null, username: string | null,
    silent: boolean, recordCdr: boolean,
  ): IngressVerdict {
    this.emit(source, ip, nowMs, reason, gateway, username)
    return { kind: 'refuse', reason, gateway, silent, recordCdr }
  }

  private emit(source: RemoteAddr, ip: string, nowMs: number, reason: AuthRefusalReason, gateway: Readonly<MappingGatewayRow> | null, username: string | null): void {
    // The username is attacker-chosen text: kept only bounded.
    const user = username === null ? null : username.slice(0, 64)
    this.refusals?.onAuthRefused({ atMs: nowMs, sourceIp: ip, sourcePort: source.port, reason, mappingGatewayId: gateway?.id ?? null, username: user })
  }
}

/** Per snapshot, the first gateway by source that lists each IP: asked for every challenge, so not a walk over all gateways. */
const gatewaysByIp = new WeakMap<ConfigSnapshot, Map<string, Readonly<MappingGatewayRow>>>()

/** An `ip_port` gateway that lists this IP (the request came from another port), if any. */
function ipPortGatewayOf(snapshot: ConfigSnapshot, ip: string): Readonly<MappingGatewayRow> | undefined {
  let byIp = gatewaysByIp.get(snapshot)
  if (byIp === undefined) {
    byIp = new Map()
    for (const gw of snapshot.mappingGatewaysBySource.values()) for (const a of gw.ips) if (!byIp.has(a)) byIp.set(a, gw)
    gatewaysByIp.set(snapshot, byIp)
  }
  return byIp.get(ip)
}
