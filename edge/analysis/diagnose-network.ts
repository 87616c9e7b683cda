// Diagnosis of the network-shaped failures: INVITE timeouts on one gateway or on many at once, slow vendors, ingress authentication failures.
import type { DiagnosisFacts, Finding } from './finding.js'

/** Attempts are bucketed by this span to tell "many gateways at once" from one gateway failing all day. */
export const TIMEOUT_BUCKET_MS = 300_000
/** A gateway times out in a bucket when at least this share of its attempts there got no answer to the INVITE. */
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
/** Share of attempts that rang but were never answered (GatewayTimeout) above which a vendor is slow. */
export const SLOW_GATEWAY_TIMEOUT_SHARE = 0.2
/** AuthenticationFailed calls from one source IP needed before it is reported. */
export const AUTH_MIN_FAILURES = 10

const ratio = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 1000) / 1000)
const iso = (ms: number): string => new Date(ms).toISOString()

/** OwnNetworkDown for buckets where most gateways time out together; GatewayUnreachable for a gateway timing out on its own. */
export function findNetworkTimeouts(f: DiagnosisFacts): Finding[] {
  const buckets = new Map<number, DiagnosisFacts['attemptsByBucket']>()
  for (const r of f.attemptsByBucket) buckets.set(r.bucketMs, [...(buckets.get(r.bucketMs) ?? []), r])
  const down: { bucketMs: number; timingOut: number; active: number }[] = []
  for (const [bucketMs, rows] of buckets) {
    const judged = rows.filter((r) => r.attempts >= BUCKET_MIN_ATTEMPTS)
    const timingOut = judged.filter((r) => r.inviteTimeouts >= TIMEOUT_SHARE * r.attempts).length
    if (timingOut >= OWN_NETWORK_MIN_GATEWAYS && timingOut >= OWN_NETWORK_MIN_SHARE * rows.length) down.push({ bucketMs, timingOut, active: rows.length })
  }
  const found: Finding[] = []
  if (down.length > 0) {
    down.sort((a, b) => a.bucketMs - b.bucketMs)
    found.push({
      kind: 'OwnNetworkDown',
      severity: 'critical',
      scope: { side: 'switch' },
      evidence: {
        minutesAffected: (down.length * TIMEOUT_BUCKET_MS) / 60_000,
        firstAt: iso(down[0]!.bucketMs),
        lastAt: iso(down[down.length - 1]!.bucketMs + TIMEOUT_BUCKET_MS),
        maxGatewaysTimingOut: Math.max(...down.map((d) => d.timingOut)),
        gatewaysWithAttempts: Math.max(...down.map((d) => d.active)),
      },
      advice:
        'INVITEs to most vendors went unanswered in the same minutes (408 InviteTimeout), so the problem is on our side: ' +
        'check our uplink and default route, the firewall/security group for outbound UDP 5060 and the replies, and that ' +
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
      advice: optionsFailing
        ? 'INVITEs and OPTIONS to this gateway get no answer: it is down or unreachable. Check its IP and port in the gateway ' +
          'settings, that the vendor allows our address in its firewall/ACL, and any firewall between us; lower its priority ' +
          'or lock it until the vendor confirms.'
        : 'INVITEs to this gateway time out while other vendors answer. Check its IP and port, the vendor ACL for our ' +
          'address, and enable the OPTIONS check so routing skips it automatically while it is offline.',
    })
  }
  return found
}

/** Vendors with a long post-dial delay or that ring without ever answering (GatewayTimeout). */
export function findSlowGateways(f: DiagnosisFacts): Finding[] {
  const found: Finding[] = []
  const attempts = new Map<string, { attempts: number; gatewayTimeouts: number }>()
  for (const r of f.attemptsByBucket) {
    const g = attempts.get(r.routingGatewayId) ?? { attempts: 0, gatewayTimeouts: 0 }
    g.attempts += r.attempts
    g.gatewayTimeouts += r.gatewayTimeouts
    attempts.set(r.routingGatewayId, g)
  }
  const pdd = new Map(f.pddByGateway.map((p) => [p.routingGatewayId, p]))
  for (const id of new Set([...attempts.keys(), ...pdd.keys()])) {
    const p = pdd.get(id)
    const a = attempts.get(id)
    const slowPdd = p !== undefined && p.withPdd >= SLOW_MIN_CALLS && p.avgPddMs >= SLOW_PDD_MS
    const stuck = a !== undefined && a.attempts >= SLOW_MIN_CALLS && a.gatewayTimeouts >= SLOW_GATEWAY_TIMEOUT_SHARE * a.attempts
    if (!slowPdd && !stuck) continue
    found.push({
      kind: 'SlowGateway',
      severity: 'warning',
      scope: { routingGatewayId: id },
      evidence: { avgPddMs: p?.avgPddMs ?? null, callsWithPdd: p?.withPdd ?? 0, attempts: a?.attempts ?? 0, gatewayTimeouts: a?.gatewayTimeouts ?? 0 },
      advice:
        'This vendor is slow: callers wait long for ringback, or calls ring until the ringing/progress timer ends ' +
        '(408 GatewayTimeout). Ask the vendor about its routing for these destinations, give it a higher priority number ' +
        'so faster vendors go first, and check SS_SIP_TIMEOUT_RINGING / SS_SIP_TIMEOUT_SESSION_PROGRESS are not too short.',
    })
  }
  return found
}

/** Authentication failures from one source: IP+port mode behind NAT, or digest credentials/realm that do not match. */
export function findAuthFailures(f: DiagnosisFacts): Finding[] {
  const found: Finding[] = []
  for (const s of f.authFailuresBySource) {
    if (s.failures < AUTH_MIN_FAILURES) continue
    const owners = f.mappingGateways.filter((m) => m.ips.includes(s.sourceIp))
    const ipPort = owners.find((m) => m.authMode === 'ip_port' && m.port !== s.topPort)
    const password = owners.find((m) => m.authMode === 'password')
    const evidence = { failures: s.failures, distinctSourcePorts: s.distinctPorts, mostUsedPort: s.topPort, digestFailures: s.digestFailures }
    if (ipPort !== undefined) {
      found.push({
        kind: 'AuthFailuresBehindNat',
        severity: 'critical',
        scope: { sourceIp: s.sourceIp, mappingGatewayId: ipPort.id },
        evidence: { ...evidence, configuredPort: ipPort.port },
        advice:
          `The customer's IP is configured in IP+port mode on port ${ipPort.port}, but its INVITEs arrive from other ports: a ` +
          'NAT or SBC in front of it rewrites the source port. Switch the mapping gateway to IP mode (or password mode if ' +
          'several customers share the address), or have the customer pin the NAT mapping to a fixed port.',
      })
    } else if (password !== undefined || s.digestFailures >= TIMEOUT_SHARE * s.failures) {
      found.push({
        kind: 'CredentialMismatch',
        severity: 'warning',
        scope: { sourceIp: s.sourceIp, ...(password === undefined ? {} : { mappingGatewayId: password.id }) },
        evidence,
        advice:
          'Digest authentication keeps failing from this source: the username, password or realm the device sends do not ' +
          'match the mapping gateway. Compare the realm in our 401/407 challenge with the one configured on the device and ' +
          'reset the password on both sides; many failures from unknown sources instead point to a password scan.',
      })
    }
  }
  return found
}
