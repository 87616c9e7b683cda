// Admission across core nodes or a node's workers: the controller decides on this process's counters, then the call's ingress limits are taken in Redis or the primary (one round trip), and a prepaid call's money reserved (another), before the call starts.
import type { TerminationReason } from '../../shared/termination/reasons.js'
import type { AdmissionRequest, CallController, Decision } from '../call/ports.js'
import { AdmittedCall } from './admitted-call.js'
import type { ClusterLimits } from './cluster-limits.js'
import type { MoneyReserver } from './cluster-money.js'
import type { PolicyController, SnapshotSource } from './controller.js'

/** The CallController main.ts gives the B2BUA when REDIS_URL is set; without it the PolicyController serves alone. */
export class ClusterAdmission implements CallController {
  /** Without `money`, prepaid reservations count in this process only. */
  constructor(
    private readonly controller: PolicyController, private readonly cluster: ClusterLimits, private readonly config: SnapshotSource,
    private readonly money: MoneyReserver | null = null,
  ) {}

  /** The local decision; a route, counted as routed only once it stands, also takes the mapping gateway's and account's calls per second and lines across nodes. */
  admit(req: AdmissionRequest): Decision | Promise<Decision> {
    // Read in the same turn as the controller's own read: the same snapshot.
    const snapshot = this.config.current
    const d = this.controller.decide(req)
    if (!(d instanceof AdmittedCall)) return d
    const gateway = snapshot.mappingGateways.get(d.mappingGatewayId)
    const account = snapshot.accounts.get(d.accountId)
    if (d.ingressHold === null || gateway === undefined || account === undefined) return (this.controller.countRouted(), d)
    const refuse = (reason: TerminationReason): Decision => {
      d.release()
      return this.controller.refuseAcross(reason, gateway)
    }
    const claim = this.money === null ? null : d.moneyClaim()
    const paid = (grant: number): Decision => {
      if (grant <= 0) return refuse('AccountBalanceNotEnough')
      d.granted(grant, (charge) => this.money!.release(claim!.accountId, grant, charge))
      return (this.controller.countRouted(), d)
    }
    const settle = (reason: Awaited<ReturnType<ClusterLimits['takeIngress']>>): Decision | Promise<Decision> => {
      if (reason !== null) return refuse(reason)
      if (claim === null) return (this.controller.countRouted(), d)
      // The call's prepaid money across nodes, once its lines are held (a refusal there reserves nothing).
      const grant = this.money!.reserve(claim)
      return typeof grant === 'number' ? paid(grant) : grant.then(paid)
    }
    const taken = this.cluster.takeIngress(d.ingressHold, gateway, account)
    return taken === null || typeof taken === 'string' ? settle(taken) : taken.then(settle)
  }
}
