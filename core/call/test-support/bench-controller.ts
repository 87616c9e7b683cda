// Benchmark support: a CallController that routes every call to one fixed gateway, its decision's methods on the prototype as the policy's AdmittedCall.
import type { SystemParams } from '../../../shared/params/system-params.js'
import type { CallController, Decision, RouteTarget } from '../ports.js'

const TARGETS: RouteTarget[] = [{
  routingGatewayId: 'gw1', priority: 1, matchedPrefix: '', protectRoute: false, calleeOut: '4930123456789', callerOut: '4921198765',
  host: '127.0.0.3', port: 5080, transport: 'udp', switchUntilConnect: true, stopSwitchingCodes: [], mediaProxy: false, groupId: null,
}]

/** A route decision to 127.0.0.3:5080 that never runs out of lines. */
class BenchDecision {
  readonly kind = 'route' as const
  readonly mappingGatewayId = 'mg1'
  readonly accountId = 'acc1'
  readonly mediaProxy = false
  readonly targets = TARGETS
  readonly rejected = []
  constructor(readonly caller: string, readonly callee: string, readonly params: SystemParams, readonly maxCallDurationSec: number) {}
  acquire(): boolean {
    return true
  }
  releaseTarget(): void {}
  release(): void {}
}

/** A controller admitting every call to the bench gateway with `params` and a duration cap (0 = none). */
export function benchController(params: SystemParams, maxCallDurationSec: number): CallController {
  return { admit: (r): Decision => new BenchDecision(r.caller, r.callee, params, maxCallDurationSec) }
}
