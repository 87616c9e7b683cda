// Automatic diagnosis: pure classification of a window's aggregates into findings with cause, evidence and the fix a VoIP engineer would give.
import { findAuthenticationAttacks, findAuthFailures } from './diagnose-auth.js'
import { findOneWayAudio } from './diagnose-media.js'
import { findFalseAnswerSupervision, findLossRoutes, findNewCostlyDestinations } from './diagnose-money.js'
import { findNetworkTimeouts, findSlowGateways } from './diagnose-network.js'
import { findSourceBans } from './diagnose-security.js'
import type { DiagnosisFacts, Finding, RuleFinding } from './finding.js'

/** NoAvailableRouter calls needed before a prefix is reported. */
export const NO_ROUTE_MIN_CALLS = 10
/** A prefix is reported only when it holds at least this share of the window's no-route calls (spread-out misses are dial-plan noise). */
export const NO_ROUTE_MIN_SHARE = 0.1
/** Shortest prefix worth reporting ('0033', '+331', '1212'); misses spread wider than that are not one missing route. */
export const NO_ROUTE_MIN_PREFIX = 4
/** A longer prefix is followed while it holds at least this share of its parent's no-route calls. */
export const NO_ROUTE_CONCENTRATION = 0.8
/** Longest prefix the no-route analysis reports (callee characters grouped in SQL). */
export const NO_ROUTE_MAX_PREFIX = 8
/** Share of all calls above which a finding is critical rather than a warning. */
export const CRITICAL_CALL_SHARE = 0.05
/** AllGatewayBusy calls naming one full vendor, or CallLimitExceeded calls of one customer, needed before capacity is reported. */
export const CAPACITY_MIN_CALLS = 10
/** An hour is a peak hour when it holds at least this share of the gateway's busiest hour's busy calls. */
export const CAPACITY_PEAK_SHARE = 0.5

const severityByShare = (calls: number, total: number): RuleFinding['severity'] =>
  total > 0 && calls / total >= CRITICAL_CALL_SHARE ? 'critical' : 'warning'

/** Walks the callee-prefix tree of no-route calls: below NO_ROUTE_MIN_PREFIX it splits, above it follows a dominant child, else reports the prefix. */
export function findNoRouteForPrefix(f: Pick<DiagnosisFacts, 'calls' | 'noRouteByCallee'>): RuleFinding[] {
  const counts = new Map<string, number>()
  const childrenOf = new Map<string, Set<string>>()
  for (const r of f.noRouteByCallee) {
    for (let len = 0; len <= Math.min(r.callee.length, NO_ROUTE_MAX_PREFIX); len++) {
      const p = r.callee.slice(0, len)
      counts.set(p, (counts.get(p) ?? 0) + r.calls)
      if (len > 0) childrenOf.set(p.slice(0, -1), (childrenOf.get(p.slice(0, -1)) ?? new Set()).add(p))
    }
  }
  const total = counts.get('') ?? 0
  const children = (p: string): [string, number][] => [...(childrenOf.get(p) ?? [])].map((q) => [q, counts.get(q) ?? 0])
  const found: RuleFinding[] = []
  const visit = (p: string): void => {
    const n = counts.get(p) ?? 0
    if (n < NO_ROUTE_MIN_CALLS || n < NO_ROUTE_MIN_SHARE * total) return
    const kids = children(p)
    const dominant = kids.find(([, c]) => c >= NO_ROUTE_CONCENTRATION * n)
    if (dominant !== undefined) return visit(dominant[0])
    if (p.length < NO_ROUTE_MIN_PREFIX) {
      for (const [q] of kids) visit(q)
      return
    }
    found.push({
      kind: 'NoRouteForPrefix',
      severity: severityByShare(n, f.calls),
      scope: { prefix: p },
      evidence: { noRouteCalls: n, shareOfNoRouteCalls: Math.round((n / total) * 1000) / 1000, callsInWindow: f.calls },
      cause:
        `${n} calls to ${p}… ended with 503 NoAvailableRouter: no routing gateway takes this prefix, or every gateway that does is ` +
        'locked, offline, forbidden for the caller or outside its calendar.',
      advice:
        'Add the prefix (or a shorter one) to a vendor, or switch a gateway with a shorter prefix to extension mode so it serves as ' +
        `fallback; check the result with GET /v1/analysis/routing?callee=${p}…`,
    })
  }
  visit('')
  return found
}

/** Vendors routing found at their (or their group's) line limit for CAPACITY_MIN_CALLS failed calls, and customers at theirs (CallLimitExceeded). */
export function findCapacityExhausted(f: Pick<DiagnosisFacts, 'calls' | 'skippedByGateway' | 'callLimitByMappingGateway'>): RuleFinding[] {
  const found: RuleFinding[] = []
  const full = new Map<string, { routingGatewayId: string; matchedPrefix: string; group: boolean; calls: number; byHour: Map<number, number> }>()
  for (const r of f.skippedByGateway) {
    if (r.reason !== 'AllGatewayBusy' || r.skip === 'clearingBalanceLow') continue
    const k = `${r.routingGatewayId}\u0000${r.matchedPrefix}`
    const g = full.get(k) ?? { routingGatewayId: r.routingGatewayId, matchedPrefix: r.matchedPrefix, group: false, calls: 0, byHour: new Map<number, number>() }
    g.calls += r.calls
    g.group ||= r.skip === 'groupLineLimit'
    g.byHour.set(r.hourMs, (g.byHour.get(r.hourMs) ?? 0) + r.calls)
    full.set(k, g)
  }
  for (const g of full.values()) {
    if (g.calls < CAPACITY_MIN_CALLS) continue
    const peak = Math.max(...g.byHour.values())
    const peakHours = [...g.byHour].filter(([, n]) => n >= CAPACITY_PEAK_SHARE * peak).map(([h]) => new Date(h).toISOString()).sort()
    found.push({
      kind: 'CapacityExhausted',
      severity: severityByShare(g.calls, f.calls),
      scope: { routingGatewayId: g.routingGatewayId, prefix: g.matchedPrefix },
      evidence: { allGatewayBusyCalls: g.calls, callsInWindow: f.calls, limit: g.group ? 'groupLineLimit' : 'lineLimit', peakHours, peakHourCalls: peak },
      cause:
        `Routing gateway ${g.routingGatewayId} (prefix ${g.matchedPrefix === '' ? 'any' : g.matchedPrefix}) was at its ${g.group ? "group's " : ''}line limit ` +
        `when ${g.calls} calls needed it, and no other vendor could take them: they failed with 503 AllGatewayBusy, mostly in the peak hours listed.`,
      advice:
        `Raise the ${g.group ? "gateway group's" : "gateway's"} line limit if the vendor allows more channels, add a backup gateway for ` +
        'this prefix (same prefix, higher priority number), or move reserved group lines to where the traffic is.',
    })
  }
  for (const r of f.callLimitByMappingGateway) {
    if (r.calls < CAPACITY_MIN_CALLS || r.mappingGatewayId === null) continue
    found.push({
      kind: 'CapacityExhausted',
      severity: severityByShare(r.calls, f.calls),
      scope: { mappingGatewayId: r.mappingGatewayId },
      evidence: { callLimitExceededCalls: r.calls, callsInWindow: f.calls },
      cause: `The customer behind mapping gateway ${r.mappingGatewayId} sent more concurrent calls than its gateway or account line limit allows (${r.calls} refused with 503 CallLimitExceeded).`,
      advice: 'Raise the line limit if the customer bought more channels, otherwise ask the customer to cap its outbound channels.',
    })
  }
  return found
}

/** Routing gateways whose clearing (vendor) account is under SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT, with the calls routing skipped them for. */
export function findVendorBalanceLow(f: Pick<DiagnosisFacts, 'routingGateways' | 'clearingAccounts' | 'clearingLimit' | 'skippedByGateway'>): RuleFinding[] {
  const accounts = new Map(f.clearingAccounts.map((a) => [a.id, a]))
  const skipped = new Map<string, { failed: number; prefixes: Set<string> }>()
  for (const r of f.skippedByGateway) {
    if (r.skip !== 'clearingBalanceLow') continue
    const s = skipped.get(r.routingGatewayId) ?? { failed: 0, prefixes: new Set<string>() }
    s.failed += r.calls
    s.prefixes.add(r.matchedPrefix)
    skipped.set(r.routingGatewayId, s)
  }
  const found: RuleFinding[] = []
  for (const g of f.routingGateways) {
    const a = g.clearingAccountId === null ? undefined : accounts.get(g.clearingAccountId)
    if (a === undefined || a.balance >= f.clearingLimit) continue
    const s = skipped.get(g.id)
    found.push({
      kind: 'VendorBalanceLow',
      severity: s !== undefined ? 'critical' : 'warning',
      scope: { routingGatewayId: g.id, clearingAccountId: a.id },
      evidence: { balance: a.balance, limit: f.clearingLimit, accountBalanceNotEnoughCalls: s?.failed ?? 0, prefixes: [...(s?.prefixes ?? [])].sort() },
      cause:
        `The clearing account ${a.id} of routing gateway ${g.id} holds ${a.balance}, below SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT ` +
        `(${f.clearingLimit}), so routing skips the gateway` +
        (s === undefined ? '.' : `: ${s.failed} calls that only it could carry failed with 503 AccountBalanceNotEnough.`),
      advice: 'Recharge the clearing account (POST /v1/accounts/{id}/payments) once the vendor is paid, or lower the limit.',
    })
  }
  return found
}

/** Every finding for the window with its window and example CDR ids left to `attachExamples`, most severe first. */
export function diagnose(f: DiagnosisFacts): Finding[] {
  const order = { critical: 0, warning: 1, info: 2 }
  const auth = [...findAuthenticationAttacks(f), ...findAuthFailures(f)]
  const named = new Set(auth.map((x) => x.scope.sourceIp).filter((ip): ip is string => ip !== undefined))
  const window = { from: new Date(f.window.fromMs).toISOString(), to: new Date(f.window.toMs).toISOString() }
  return [
    ...findNoRouteForPrefix(f),
    ...findCapacityExhausted(f),
    ...findVendorBalanceLow(f),
    ...findNetworkTimeouts(f),
    ...findSlowGateways(f),
    ...auth,
    ...findOneWayAudio(f),
    ...findFalseAnswerSupervision(f),
    ...findNewCostlyDestinations(f),
    ...findLossRoutes(f),
    ...findSourceBans(f, named),
  ]
    .map((x): Finding => ({ ...x, evidence: { ...x.evidence, window, exampleCdrIds: (x.evidence.exampleCdrIds as string[] | undefined) ?? [] } }))
    .sort((a, b) => order[a.severity] - order[b.severity])
}
