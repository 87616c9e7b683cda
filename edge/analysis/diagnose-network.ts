// Diagnosis of the network-shaped failures: INVITEs unanswered by one gateway or by many at once, and vendors that answer but are slow (100 Trying without ringing, ringing without answer, long post-dial delay).
import type { DiagnosisFacts, RuleFinding } from './finding.js'

/** Attempts are bucketed by this span (from the window's start) to tell "many gateways at once" from one gateway failing all day. */
export const TIMEOUT_BUCKET_MS = 300_000
/** A gateway times out in a bucket when at least this share of its attempts there got no response at all. */
export const TIMEOUT_SHARE = 0.5
/** Attempts a gateway needs in a bucket to be judged in it. */
export const BUCKET_MIN_ATTEMPTS = 3
/** Own network down: at least this many gateways time out in the same bucket... */
export const OWN_NETWORK_MIN_GATEWAYS = 3
/** ...and they are at least this share of the gateways that had attempts in it. */
export const OWN_NETWORK_MIN_SHARE = 0.6
/** Attempts (outside own-network buckets) a gateway needs before it is called unreachable. */
export const UNREACHABLE_MIN_ATTEMPTS = 10
/** Average post-dial delay above which a vendor is slow. */
export const SLOW_PDD_MS = 6_000
/** Calls with a PDD, or attempts, a gateway needs before it is called slow. */
export const SLOW_MIN_CALLS = 10
/** Share of attempts that timed out after the gateway answered (100 Trying alone, or ringing) above which a vendor is slow. */
export const SLOW_TIMEOUT_SHARE = 0.2

const ratio = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 1000) / 1000)
const iso = (ms: number): string => new Date(ms).toISOString()

/** OwnNetworkDown for buckets where most gateways time out together; GatewayUnreachable for a gateway timing out on its own. */
export function findNetworkTimeouts(f: Pick<DiagnosisFacts, 'attemptsByBucket' | 'gatewayStatus'>): RuleFinding[] {
  const buckets = new Map<number, DiagnosisFacts['attemptsByBucket']>()
  for (const r of f.attemptsByBucket) buckets.set(r.bucketMs, [...(buckets.get(r.bucketMs) ?? []), r])
  const down: { bucketMs: number; timingOut: string[]; active: number; timeouts: number }[] = []
  for (const [bucketMs, rows] of buckets) {
    const timingOut = rows.filter((r) => r.attempts >= BUCKET_MIN_ATTEMPTS && r.inviteTimeouts >= TIMEOUT_SHARE * r.attempts)
    if (timingOut.length >= OWN_NETWORK_MIN_GATEWAYS && timingOut.length >= OWN_NETWORK_MIN_SHARE * rows.length) {
      down.push({ bucketMs, timingOut: timingOut.map((r) => r.routingGatewayId), active: rows.length, timeouts: timingOut.reduce((s, r) => s + r.inviteTimeouts, 0) })
    }
  }
  const found: RuleFinding[] = []
  if (down.length > 0) {
    down.sort((a, b) => a.bucketMs - b.bucketMs)
    const gateways = [...new Set(down.flatMap((d) => d.timingOut))].sort()
    found.push({
      kind: 'OwnNetworkDown',
      severity: 'critical',
      scope: { side: 'switch' },
      evidence: {
        minutesAffected: (down.length * TIMEOUT_BUCKET_MS) / 60_000,
        firstAt: iso(down[0]!.bucketMs),
        lastAt: iso(down[down.length - 1]!.bucketMs + TIMEOUT_BUCKET_MS),
        maxGatewaysTimingOut: Math.max(...down.map((d) => d.timingOut.length)),
        gatewaysWithAttempts: Math.max(...down.map((d) => d.active)),
        gatewaysTimingOut: gateways,
        inviteTimeouts: down.reduce((s, d) => s + d.timeouts, 0),
      },
      cause:
        `INVITEs to ${gateways.length} of the vendors went unanswered in the same minutes (no response at all, InviteTimeout): ` +
        'vendors rarely fail together, so the problem is on our side of the network.',
      advice:
        'Check our uplink and default route, the firewall or security group for outbound SIP and the replies, and that ' +
        'SIP_ADVERTISED_HOST is the public address the vendors answer to.',
    })
  }
  const downBuckets = new Set(down.map((d) => d.bucketMs))
  const perGateway = new Map<string, { attempts: number; timeouts: number }>()
  for (const r of f.attemptsByBucket) {
    if (downBuckets.has(r.bucketMs)) continue
    const g = perGateway.get(r.routingGatewayId) ?? { attempts: 0, timeouts: 0 }
    g.attempts += r.attempts
    g.timeouts += r.inviteTimeouts
    perGateway.set(r.routingGatewayId, g)
  }
  const status = new Map(f.gatewayStatus.map((s) => [s.routingGatewayId, s]))
  for (const [id, g] of perGateway) {
    if (g.attempts < UNREACHABLE_MIN_ATTEMPTS || g.timeouts < TIMEOUT_SHARE * g.attempts) continue
    const s = status.get(id)
    const optionsFailing = s !== undefined && (!s.online || (s.lossRatio ?? 0) >= TIMEOUT_SHARE)
    found.push({
      kind: 'GatewayUnreachable',
      severity: optionsFailing || g.timeouts === g.attempts ? 'critical' : 'warning',
      scope: { routingGatewayId: id },
      evidence: { attempts: g.attempts, inviteTimeouts: g.timeouts, timeoutShare: ratio(g.timeouts, g.attempts), optionsOnline: s?.online ?? null, optionsLossRatio: s?.lossRatio ?? null },
      cause: optionsFailing
        ? `Routing gateway ${id} answers neither INVITE (not even 100 Trying) nor OPTIONS: it is down or unreachable from us.`
        : `${g.timeouts} of ${g.attempts} INVITEs to routing gateway ${id} got no response at all (not even 100 Trying) while other vendors ` +
          'answered: its address is wrong or something between us drops the packets.',
      advice: optionsFailing
        ? 'Check its IP and port in the gateway settings, that the vendor allows our address in its firewall/ACL, and any firewall between ' +
          'us; lower its priority or lock it until the vendor confirms.'
        : 'Check its IP, port and transport, and the vendor\'s ACL for our address; enable the OPTIONS check so routing skips it ' +
          'automatically while it is offline.',
    })
  }
  return found
}

/** Vendors that answer but are slow: 100 Trying without ringing (TryingTimeout), ringing without answer (GatewayTimeout), long post-dial delay. */
export function findSlowGateways(f: Pick<DiagnosisFacts, 'attemptsByBucket' | 'pddByGateway'>): RuleFinding[] {
  const found: RuleFinding[] = []
  const attempts = new Map<string, { attempts: number; trying: number; ringing: number }>()
  for (const r of f.attemptsByBucket) {
    const g = attempts.get(r.routingGatewayId) ?? { attempts: 0, trying: 0, ringing: 0 }
    g.attempts += r.attempts
    g.trying += r.tryingTimeouts
    g.ringing += r.gatewayTimeouts
    attempts.set(r.routingGatewayId, g)
  }
  const pdd = new Map(f.pddByGateway.map((p) => [p.routingGatewayId, p]))
  for (const id of new Set([...attempts.keys(), ...pdd.keys()])) {
    const p = pdd.get(id)
    const a = attempts.get(id) ?? { attempts: 0, trying: 0, ringing: 0 }
    const slowPdd = p !== undefined && p.withPdd >= SLOW_MIN_CALLS && p.avgPddMs >= SLOW_PDD_MS
    const stuck = a.attempts >= SLOW_MIN_CALLS && a.trying + a.ringing >= SLOW_TIMEOUT_SHARE * a.attempts
    if (!slowPdd && !stuck) continue
    const what = !stuck
      ? `callers wait ${Math.round((p?.avgPddMs ?? 0) / 100) / 10} s on average for ringback`
      : a.trying >= a.ringing
        ? `${a.trying} of ${a.attempts} attempts got 100 Trying and then nothing until SS_SIP_TIMEOUT_TRYING ended them (TryingTimeout)`
        : `${a.ringing} of ${a.attempts} attempts rang until the ringing/progress timer ended them unanswered (GatewayTimeout)`
    found.push({
      kind: 'SlowGateway',
      severity: 'warning',
      scope: { routingGatewayId: id },
      evidence: { attempts: a.attempts, tryingTimeouts: a.trying, gatewayTimeouts: a.ringing, avgPddMs: p?.avgPddMs === undefined ? null : Math.round(p.avgPddMs), callsWithPdd: p?.withPdd ?? 0 },
      cause:
        `Routing gateway ${id} is reachable (it answers) but slow: ${what}. The vendor is overloaded or its onward routing for these ` +
        'destinations is slow; this is not a network or ACL problem.',
      advice:
        'Ask the vendor about its capacity and routing for these destinations; give it a higher priority number so faster vendors go ' +
        'first (or turn on quality routing, SS_GATEWAY_ASR_ROUTE_SORT_CONFIG); check SS_SIP_TIMEOUT_TRYING and SS_SIP_TIMEOUT_RINGING ' +
        'are not shorter than the destinations need.',
    })
  }
  return found
}
