// The admission controller: a new INVITE → identify → authenticate → account and line checks → route, as one Decision for the call layer.
import { callCost } from '../../shared/billing/rating.js'
import type { AccountRow } from '../../shared/entities/account.js'
import type { MappingGatewayRow } from '../../shared/entities/mapping-gateway.js'
import type { SystemParams } from '../../shared/params/system-params.js'
import { applyIngress, ingressNotes } from '../../shared/routing/ingress.js'
import { RollingQuality } from '../../shared/routing/quality.js'
import { decideRoute, type RouteCandidate, type RoutingLive } from '../../shared/routing/route.js'
import { skipNotes } from '../../shared/routing/skip-notes.js'
import type { TerminationReason } from '../../shared/termination/reasons.js'
import type { AdmissionRequest, CallController, Decision, RejectDecision, RouteTarget } from '../call/ports.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import type { CounterSeries, Metric, Metrics } from '../lib/metrics.js'
import type { BookRate } from '../../shared/billing/rate-book.js'
import { catalogueStatus } from '../call/cdr-facts.js'
import { AdmittedCall } from './admitted-call.js'
import { CallGuards, MemorySpendCounter } from './call-guards.js'
import { BalanceLedger } from './balance-ledger.js'
import { CallBilling } from './call-billing.js'
import type { ClusterLimits } from './cluster-limits.js'
import type { ChallengeStatus, DigestAuthenticator } from './digest.js'
import { IngressAuth } from './guard/ingress-auth.js'
import { LineCounters, type GatewayHealth } from './limits.js'
import type { RegisteredGateways } from './registered.js'

/** Where the controller reads the current snapshot (the ConfigLoader; once per admit). */
export interface SnapshotSource {
  readonly current: ConfigSnapshot
}

/** Construction options; everything but `config` and `metrics` has a production default. */
export interface PolicyControllerOptions {
  config: SnapshotSource
  metrics: Metrics
  /** Online state of routing gateways (the OPTIONS checks); default: all online. */
  health?: GatewayHealth
  /**
   * 407 Proxy-Authenticate (default) or 401 WWW-Authenticate. The core is the customer's next hop, not its registrar,
   * so it challenges INVITEs as a proxy does (Kamailio `proxy_challenge`, VOS3000).
   */
  challengeStatus?: ChallengeStatus
  /** Shares load among equal priorities (default Math.random). */
  random?: () => number
  /** Reuse an authenticator (tests pin its secret); default one per controller. Ignored when `auth` is given. */
  digest?: DigestAuthenticator
  /** Ingress authentication shared with the pre-transaction screen (main.ts); default one of this controller's own. */
  auth?: IngressAuth
  lines?: LineCounters
  /** Reservations and unwritten charges per account; main.ts feeds it the CDR writer's reports. */
  ledger?: BalanceLedger
  /** Rolling quality per routing gateway and route prefix; default one fed by this controller's calls. */
  quality?: RollingQuality
  /** Calls per second and fraud guards (main.ts seeds its spend counter with the day's CDRs); default in-process ones. */
  guards?: CallGuards
  /** Line limits and calls per second across core nodes (REDIS_URL), built on `lines` and `guards`; default none. */
  cluster?: ClusterLimits
  /** Live registrations: dynamic mapping gateways by source, dynamic routing gateways' reach; default: nobody registered. */
  registered?: RegisteredGateways
}

const NO_HEADERS: readonly (readonly [string, string])[] = []

/** Smallest non-zero of the system cap and the account's own; 0 = no cap (SS_MAXCALLDURATION: a shorter account limit wins). */
export function maxCallDuration(params: Pick<SystemParams, 'SS_MAXCALLDURATION'>, account: Pick<AccountRow, 'maxCallDurationSec'>): number {
  const a = params.SS_MAXCALLDURATION
  const b = account.maxCallDurationSec
  return a === 0 ? b : b === 0 ? a : Math.min(a, b)
}

/** Turns new INVITEs into decisions; pure apart from the line counters, the nonce secret and the nonce-count window. */
export class PolicyController implements CallController {
  /** Live counters; the status port and the routing analysis may read them. */
  readonly lines: LineCounters
  /** Live balances: prepaid reservations, charges not yet in the database (the CDR writer reports to it). */
  readonly ledger: BalanceLedger
  /** ASR/ACD/PDD per routing gateway and route prefix, fed with every admitted call's CDR. */
  readonly quality: RollingQuality
  /** `lines.live` plus the ledger's clearing balances and the quality window, the `live` argument of decideRoute. */
  private readonly routeLive: RoutingLive
  private readonly config: SnapshotSource
  private readonly auth: IngressAuth
  /** Calls per second of gateways and accounts, destination lists, concurrent calls and the day's spend. */
  readonly guards: CallGuards
  private readonly random: () => number
  private readonly cluster: ClusterLimits | null
  private readonly admitted: CounterSeries
  private readonly refused: Metric
  private readonly registered: RegisteredGateways | null

  constructor(opts: PolicyControllerOptions) {
    this.config = opts.config
    this.lines = opts.lines ?? new LineCounters(opts.health)
    this.ledger = opts.ledger ?? new BalanceLedger()
    this.quality = opts.quality ?? new RollingQuality(() => this.config.current.params)
    this.registered = opts.registered ?? null
    this.routeLive = routingLive(this.lines.live, this.ledger, this.quality, this.registered)
    this.guards = opts.guards ?? new CallGuards({ spend: new MemorySpendCounter(() => this.config.current.params.SS_TIMEZONE) })
    this.auth = opts.auth ?? new IngressAuth({
      metrics: opts.metrics, ...(opts.digest === undefined ? {} : { digest: opts.digest }), ...(opts.challengeStatus === undefined ? {} : { challengeStatus: opts.challengeStatus }),
      ...(opts.registered === undefined ? {} : { registered: opts.registered }),
    })
    this.random = opts.random ?? Math.random
    this.cluster = opts.cluster ?? null
    const admissions = opts.metrics.counter('policy_admissions_total', 'new INVITEs by admission result', ['result'])
    this.admitted = admissions.labels('route')
    this.refused = admissions
  }

  /** Decides one new INVITE on the current snapshot (read once, so the whole decision sees one config version). */
  admit(req: AdmissionRequest): Decision {
    const d = this.decide(req)
    if (d instanceof AdmittedCall) this.admitted.inc()
    return d
  }

  /**
   * `admit` without counting a route as routed: for cluster admission, which counts it with `countRouted` once the
   * limits across nodes took it, or as a refusal (`refuseAcross`) when they did not.
   */
  decide(req: AdmissionRequest): Decision {
    const snapshot = this.config.current
    // Usually decided already by the pre-transaction screen, which answered challenges and refusals statelessly.
    const v = this.auth.authenticate(req.request, req.source, snapshot, req.nowMs)
    switch (v.kind) {
      case 'gateway':
        return this.admitGateway(req, snapshot, v.gateway)
      case 'challenge':
        return { kind: 'challenge', status: v.status, headers: v.headers }
      case 'refuse':
        return this.reject(403, 'AuthenticationFailed', v.gateway, v.silent, v.recordCdr)
    }
  }

  /** Checks lock, account, balance and line limit of an identified gateway, then routes. */
  private admitGateway(req: AdmissionRequest, snapshot: ConfigSnapshot, gateway: Readonly<MappingGatewayRow>): Decision {
    // A barred gateway is an operator lock on the customer's ingress: AccountLocked (403) names it; AuthenticationFailed
    // would send the operator to check credentials and IPs that are fine.
    if (gateway.lockType === 'bar_all') return this.reject(403, 'AccountLocked', gateway, false, true)
    const account = snapshot.accounts.get(gateway.accountId)
    // The snapshot keeps a gateway whose account row is missing or invalid (with a warning); nobody can be billed: locked.
    if (account === undefined || account.status === 'locked') return this.reject(403, 'AccountLocked', gateway, false, true)
    // The mapping gateway's dial plan turns the numbers as received into the ones rated and routed.
    let callee = req.callee
    let caller = req.caller
    let notes: string[] = []
    const plans = snapshot.ingress.get(gateway.id)
    if (plans !== undefined && !(plans.callee.identity && plans.caller.identity)) {
      const r = applyIngress(plans, callee, caller)
      if (r.kind === 'rejected') {
        const d = this.reject(r.status, 'DialPlanRejected', gateway, false, true)
        return { ...d, notes: [`dial plan of ${gateway.id} refused the ${r.side} ${r.side === 'callee' ? callee : caller} (rule ${r.rule})`] }
      }
      notes = ingressNotes(req, r)
      callee = r.callee
      caller = r.caller
    }
    // Fraud and rate guards, on the number as rated and routed (after the gateway's dial plan).
    const guarded = this.guards.refusal(gateway, account, callee, this.lines.accountCalls(account.id), req.nowMs)
    if (guarded !== null) return this.reject(catalogueStatus(guarded, 503), guarded, gateway, false, true)
    const ledger = this.ledger
    ledger.snapshot = snapshot
    const capSec = maxCallDuration(snapshot.params, account)
    let billing: CallBilling | null = null
    let rate: BookRate | null = null
    if (account.rateTableId !== null) {
      // The customer pays for the number it dialled, after its own dial plan (no routing gateway's rules apply to its price).
      rate = snapshot.rates.find(account.rateTableId, callee, req.nowMs)
      if (rate === null) return this.reject(503, 'NoRateForDestination', gateway, false, true)
      // A prepaid account must pay at least the first billing period from what its other calls left.
      // (What affordableSeconds === 0 means, at the cost of one callCost instead of its search.)
      if (account.type === 'prepaid' && callCost(rate.firstIncrementSec, rate, snapshot.params.SERVER_BILLING_FEE_PRECISION) > ledger.available(snapshot, account)) {
        return this.reject(503, 'AccountBalanceNotEnough', gateway, false, true)
      }
      billing = new CallBilling({ ledger, snapshot, account, customerRate: rate, capSec })
    } else if (account.type === 'prepaid' && ledger.available(snapshot, account) <= 0) {
      return this.reject(503, 'AccountBalanceNotEnough', gateway, false, true)
    } else if (snapshot.rates.size > 0) {
      // An unrated customer still costs us at the vendor when the answering gateway's clearing account has rates.
      billing = new CallBilling({ ledger, snapshot, account, customerRate: null, capSec })
    }
    if (this.lines.ingressFull(gateway)) return this.reject(503, 'CallLimitExceeded', gateway, false, true)
    const privacy = req.request.headers.first('privacy')
    const route = decideRoute(
      snapshot.routing,
      {
        callee, caller, mappingGatewayId: gateway.id, nowMs: req.nowMs, random: this.random, customerRate: rate,
        allowLossRoutes: gateway.allowLossRoutes, ...(privacy === undefined ? {} : { callerPrivacy: privacy }),
      },
      this.routeLive,
    )
    const skipped = skipNotes(route.rejected)
    if (skipped.length > 0) notes = notes.length === 0 ? skipped : [...notes, ...skipped]
    // NoAvailableRouter, AllGatewayBusy, AccountBalanceNotEnough (vendor clearing balance) and NoProfitableRoute are all 503.
    if (route.kind === 'reject') {
      const d = this.reject(503, route.reason, gateway, false, true)
      return notes.length === 0 ? d : { ...d, notes }
    }
    const candidates = route.candidates
    // One slot per candidate, trimmed after: the call keeps this array while up (a push onto `[]` reserves 16 slots).
    const targets = new Array<RouteTarget>(candidates.length)
    let n = 0
    const overRate: string[] = []
    for (const c of candidates) {
      if (this.guards.gatewayCpsAvailable(snapshot, c.routingGatewayId, Date.now())) targets[n++] = toTarget(snapshot, c, this.registered)
      else overRate.push(c.routingGatewayId)
    }
    targets.length = n
    if (overRate.length > 0) {
      const note = `over their calls per second: ${overRate.join(', ')}`
      notes = notes.length === 0 ? [note] : [...notes, note]
      if (targets.length === 0) return { ...this.reject(503, 'CpsLimitExceeded', gateway, false, true), notes }
    }
    return new AdmittedCall({
      snapshot,
      lines: this.lines,
      mappingGatewayId: gateway.id,
      accountId: account.id,
      caller: req.caller,
      callee: req.callee,
      maxCallDurationSec: capSec,
      mediaProxy: gateway.mediaProxy,
      targets,
      rejected: route.rejected,
      notes,
      billing,
      quality: this.quality,
      guards: this.guards,
      cluster: this.cluster,
    })
  }

  /** Counts a call `decide` routed as routed (the limits across workers and nodes took it). */
  countRouted(): void {
    this.admitted.inc()
  }

  /** A call admitted on this process's counts but refused on the node's or cluster's (cluster-limits.ts): counted like any refusal, never as routed. */
  refuseAcross(reason: TerminationReason, gateway: Readonly<MappingGatewayRow>): RejectDecision {
    return { ...this.reject(catalogueStatus(reason, 503), reason, gateway, false, true), notes: ['refused on the limits counted across workers and core nodes'] }
  }

  private reject(
    status: number, reason: TerminationReason, gateway: Readonly<MappingGatewayRow> | null, silent: boolean, recordCdr: boolean,
  ): RejectDecision {
    this.refused.inc(1, reason)
    return {
      kind: 'reject', status, reason, silent, recordCdr,
      mappingGatewayId: gateway?.id ?? null, accountId: gateway?.accountId ?? null, headers: NO_HEADERS,
    }
  }
}

/** Routing's live input: the line counters read in place, clearing balances from the ledger (charges since the snapshot), the quality window. */
function routingLive(lines: RoutingLive, ledger: BalanceLedger, quality: RollingQuality, registered: RegisteredGateways | null): RoutingLive {
  return {
    ...(registered === null ? {} : { registered: registered.registeredRouting }),
    get online() {
      return lines.online
    },
    ...(lines.gatewayCalls === undefined ? {} : { gatewayCalls: lines.gatewayCalls }),
    ...(lines.gatewayCallsAt === undefined ? {} : { gatewayCallsAt: lines.gatewayCallsAt }),
    ...(lines.groupCalls === undefined ? {} : { groupCalls: lines.groupCalls }),
    ...(lines.groupMappingCalls === undefined ? {} : { groupMappingCalls: lines.groupMappingCalls }),
    clearingBalances: ledger.clearingBalances,
    quality,
  }
}

/** A routing candidate plus the failover and media fields of its routing gateway; a dynamic one is reached at its binding. */
function toTarget(snapshot: ConfigSnapshot, c: RouteCandidate, registered: RegisteredGateways | null): RouteTarget {
  const rg = snapshot.routingGateways.get(c.routingGatewayId)!
  const reach = rg.dynamic ? registered?.reach(rg.id) : undefined
  return {
    routingGatewayId: c.routingGatewayId, priority: c.priority, matchedPrefix: c.matchedPrefix, protectRoute: c.protectRoute,
    calleeOut: c.calleeOut, callerOut: c.callerOut, callerId: c.callerId,
    ...(reach === undefined
      ? { host: c.host, port: c.port, transport: rg.transport }
      : { host: reach.host, port: reach.port, transport: reach.transport, nextHop: reach.nextHop }),
    switchUntilConnect: rg.switchUntilConnect, stopSwitchingCodes: rg.stopSwitchingCodes, mediaProxy: rg.mediaProxy, groupId: rg.groupId,
  }
}
