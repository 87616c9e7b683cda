// What the limit benchmarks share (cluster-admission.bench.ts, core/cluster/limits-link.bench.ts): a snapshot where a call meets every limit, one call's limits taken and given back, and a controller over a ClusterLimits or none.
import type { AdmissionRequest, Decision, RouteDecision } from '../../call/ports.js'
import type { ConfigSnapshot } from '../../config/snapshot.js'
import { Metrics } from '../../lib/metrics.js'
import { CallGuards, MemorySpendCounter } from '../call-guards.js'
import { ClusterAdmission } from '../cluster-admission.js'
import type { ClusterLimits } from '../cluster-limits.js'
import { PolicyController } from '../controller.js'
import { LineCounters } from '../limits.js'
import { account, admission, invite, mappingGateway, policySnapshot, routingGateway } from './policy-inputs.js'

const URI = 'sip:4930123@203.0.113.1'
const NOW = Date.UTC(2024, 0, 3, 12)

/** Every limit a call can meet (when `limited`): the mapping gateway's and account's lines and calls per second, the vendor's lines and rate. */
export function benchSnapshot(limited = true): ConfigSnapshot {
  const n = limited ? 100_000 : 0
  return policySnapshot({
    accounts: [account('acc', { maxConcurrentCalls: n, cpsLimit: n })],
    mappingGateways: [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'], accountId: 'acc', lineLimit: n, cpsLimit: n })],
    routingGateways: [routingGateway('rg', { prefixes: ['49'], lineLimit: n, cpsLimit: n })],
  })
}

/** `count` admissions of the customer of benchSnapshot. */
export function benchRequests(count: number): AdmissionRequest[] {
  return Array.from({ length: count }, () => admission(invite(URI), '192.0.2.10', 5060, NOW))
}

/** An admission as the B2BUA calls it. */
export type Admit = (r: AdmissionRequest) => Decision | Promise<Decision>

/** One call's limits: admission, the first target's line, both given back. */
export async function oneCall(admit: Admit, r: AdmissionRequest): Promise<void> {
  const d = await admit(r)
  if (d.kind !== 'route') throw new Error(`expected a route, got ${JSON.stringify(d)}`)
  const route = d as RouteDecision
  if (!(await route.acquire(route.targets[0]!))) throw new Error('the target line was refused')
  route.release()
}

/** A controller on `current`, with the ClusterLimits `cluster` builds (null: this process alone). */
export function controllerWith(current: ConfigSnapshot, cluster: (lines: LineCounters, guards: CallGuards) => ClusterLimits | null): Admit {
  const lines = new LineCounters()
  const guards = new CallGuards({ spend: new MemorySpendCounter(() => 'UTC') })
  const c = cluster(lines, guards)
  const controller = new PolicyController({ config: { current }, metrics: new Metrics(), lines, guards, ...(c === null ? {} : { cluster: c }) })
  const admission = c === null ? controller : new ClusterAdmission(controller, c, { current })
  return (r) => admission.admit(r)
}
