// The RouteDecision handed to the call layer: targets and limits of one admitted call, plus its idempotent hold on line counters.
import type { SystemParams } from '../../shared/params/system-params.js'
import type { RollingQuality } from '../../shared/routing/quality.js'
import type { RouteRejection } from '../../shared/routing/route.js'
import type { CdrCreate } from '../../shared/entities/cdr.js'
import type { CallTariff, RedirectContact, RouteDecision, RouteTarget } from '../call/ports.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import type { SharedHold } from '../shared-state/shared-state.js'
import type { CallBilling } from './call-billing.js'
import type { MoneyCharge, MoneyClaim } from './cluster-money.js'
import type { CallGuards } from './call-guards.js'
import type { ClusterLimits } from './cluster-limits.js'
import type { LineCounters } from './limits.js'
import { redirectTarget } from './redirect.js'

/** What an admitted call is made of (the controller fills it once per INVITE). */
export interface AdmittedCallInit {
  snapshot: ConfigSnapshot
  lines: LineCounters
  mappingGatewayId: string
  accountId: string
  caller: string
  callee: string
  maxCallDurationSec: number
  mediaProxy: boolean
  targets: readonly RouteTarget[]
  rejected: readonly RouteRejection[]
  /** CDR notes from admission (dial plans, gateways skipped offline or for price). */
  notes?: readonly string[]
  /** Rating and the prepaid reservation; null = the account has no rate table and is not prepaid-capped. */
  billing?: CallBilling | null
  /** The quality window the finished call's attempts feed. */
  quality?: RollingQuality | null
  /** Routing gateways' calls per second (taken per attempt) and the account's daily spend (fed at the end). */
  guards?: CallGuards | null
  /** Limits across core nodes (REDIS_URL); null = this node's counters alone. */
  cluster?: ClusterLimits | null
}

/** `list` with `item` added; a new list is a literal of one (a push onto `[]` reserves 16 slots, ~130 B a call keeps while up). */
function appended<T>(list: T[] | null, item: T): T[] {
  if (list === null) return [item]
  list.push(item)
  return list
}

/**
 * One admitted call. It holds the ingress line from construction until `release()`, and an egress line per target
 * between `acquire` and `releaseTarget`; repeated releases are no-ops, and `release()` also gives back any target line
 * the call layer forgot, so counters cannot drift. With cluster limits each line is also held across nodes: an
 * attempt's take is then asynchronous, and one still in flight when the call ends is given back when it resolves.
 */
export class AdmittedCall implements RouteDecision {
  readonly kind = 'route' as const
  readonly mappingGatewayId: string
  readonly accountId: string
  readonly caller: string
  readonly callee: string
  readonly params: SystemParams
  readonly maxCallDurationSec: number
  readonly mediaProxy: boolean
  readonly targets: readonly RouteTarget[]
  readonly rejected: readonly RouteRejection[]
  readonly notes: readonly string[] | undefined
  private readonly snapshot: ConfigSnapshot
  private readonly lines: LineCounters
  private readonly billing: CallBilling | null
  private readonly quality: RollingQuality | null
  private readonly guards: CallGuards | null
  private readonly cluster: ClusterLimits | null
  /** The ingress lines across nodes (null without cluster limits). */
  readonly ingressHold: SharedHold | null
  /** Targets currently holding a line (usually zero or one), and their holds across nodes (same index). */
  private held: RouteTarget[] | null = null
  private holds: SharedHold[] | null = null
  private released = false

  constructor(init: AdmittedCallInit) {
    this.snapshot = init.snapshot
    this.lines = init.lines
    this.mappingGatewayId = init.mappingGatewayId
    this.accountId = init.accountId
    this.caller = init.caller
    this.callee = init.callee
    this.params = init.snapshot.params
    this.maxCallDurationSec = init.maxCallDurationSec
    this.mediaProxy = init.mediaProxy
    this.targets = init.targets
    this.rejected = init.rejected
    this.notes = init.notes
    this.billing = init.billing ?? null
    this.quality = init.quality ?? null
    this.guards = init.guards ?? null
    this.cluster = init.cluster ?? null
    init.lines.takeIngress(init.mappingGatewayId, init.accountId)
    this.ingressHold = this.cluster === null ? null : this.cluster.hold()
  }

  /**
   * Takes a line on the target's gateway and group; true when already held, false when full or the call was released.
   * With cluster limits the answer comes once the other nodes' lines are counted too.
   */
  acquire(target: RouteTarget): boolean | Promise<boolean> {
    if (this.released) return false
    if (this.held !== null && this.held.includes(target)) return true
    // Over its calls per second the gateway is skipped like a full one (the controller left out those empty at admission).
    if (this.guards !== null && !this.guards.takeGatewayCps(this.snapshot, target.routingGatewayId)) return false
    if (!this.lines.tryTakeTarget(this.snapshot, this.mappingGatewayId, target)) return false
    if (this.cluster === null) {
      this.held = appended(this.held, target)
      return true
    }
    const cluster = this.cluster
    const hold = cluster.hold()
    const taken = cluster.takeTarget(hold, this.snapshot, this.mappingGatewayId, target)
    if (taken === true) return this.keep(target, hold)
    return Promise.resolve(taken).then((ok) => {
      if (ok && !this.released) return this.keep(target, hold)
      // Full across nodes, or the call ended while the take was in flight: both lines go back.
      this.lines.releaseTarget(this.mappingGatewayId, target)
      cluster.releaseTarget(hold, this.mappingGatewayId, target)
      return false
    })
  }

  private keep(target: RouteTarget, hold: SharedHold): true {
    this.held = appended(this.held, target)
    this.holds = appended(this.holds, hold)
    return true
  }

  /** SS_REDIRECT_MODE follow: the attempt for a 3xx Contact, or null when SS_REDIRECT_FOLLOW_TARGETS refuses it (redirect.ts). */
  redirectTarget(contact: RedirectContact, from: RouteTarget): RouteTarget | null {
    return redirectTarget(this.snapshot, contact, from)
  }

  /** Gives back the target's line; a no-op when this call does not hold it. */
  releaseTarget(target: RouteTarget): void {
    const i = this.held === null ? -1 : this.held.indexOf(target)
    if (i === -1) return
    this.held!.splice(i, 1)
    this.lines.releaseTarget(this.mappingGatewayId, target)
    if (this.holds !== null) this.cluster!.releaseTarget(this.holds.splice(i, 1)[0]!, this.mappingGatewayId, target)
  }

  /** Answered on `target`: the prepaid reservation and the seconds it pays for (null = no money cap). */
  answered(target: RouteTarget, nowMs: number): number | null {
    return this.billing === null ? null : this.billing.answered(target, nowMs)
  }

  /** What the call asks to reserve across core nodes (a prepaid rated account's), or null. */
  moneyClaim(): MoneyClaim | null {
    return this.billing === null ? null : this.billing.moneyClaim()
  }

  /** The money reserved across nodes for the call: its answer reserves at most it; `giveBack` runs once at release. */
  granted(grant: number, giveBack: (charge: MoneyCharge | null) => void): void {
    this.billing?.granted(grant, giveBack)
  }

  /** The prices found at the answer (null = unrated). */
  tariff(): CallTariff | null {
    return this.billing === null ? null : this.billing.tariff()
  }

  /** Fills the CDR's cost and vendor cost (unrated calls keep null) and feeds its attempts to the quality window. */
  bill(cdr: CdrCreate): void {
    this.billing?.bill(cdr)
    this.quality?.record(cdr)
    if (cdr.cost !== null && cdr.cost > 0) this.guards?.spend.add(this.accountId, cdr.cost, cdr.endedAtMs)
  }

  /** Gives back the ingress line, any target line still held and the prepaid reservation; later calls are no-ops. */
  release(): void {
    if (this.released) return
    this.released = true
    this.billing?.release()
    if (this.held !== null) {
      for (let i = 0; i < this.held.length; i++) {
        const t = this.held[i]!
        this.lines.releaseTarget(this.mappingGatewayId, t)
        if (this.holds !== null) this.cluster!.releaseTarget(this.holds[i]!, this.mappingGatewayId, t)
      }
      this.held = null
      this.holds = null
    }
    this.lines.releaseIngress(this.mappingGatewayId, this.accountId)
    if (this.ingressHold !== null) this.cluster!.releaseIngress(this.ingressHold, this.mappingGatewayId, this.accountId)
  }
}
