// Automatic diagnosis: pure classification of a window's aggregates into findings with cause, evidence and the fix a VoIP engineer would give.
import { findFalseAnswerSupervision, findLossRoutes } from './diagnose-money.js'
import { findAuthFailures, findNetworkTimeouts, findSlowGateways } from './diagnose-network.js'
import { findSourceBans } from './diagnose-security.js'
import type { DiagnosisFacts, Finding } from './finding.js'

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
/** AllGatewayBusy or CallLimitExceeded calls needed before capacity is reported. */
export const CAPACITY_MIN_CALLS = 10
/** An hour is a peak hour when it holds at least this share of the busiest hour's busy calls. */
export const CAPACITY_PEAK_SHARE = 0.5

const severityByShare = (calls: number, total: number): Finding['severity'] =>
  total > 0 && calls / total >= CRITICAL_CALL_SHARE ? 'critical' : 'warning'

/** Walks the callee-prefix tree of no-route calls: below NO_ROUTE_MIN_PREFIX it splits, above it follows a dominant child, else reports the prefix. */
export function findNoRouteForPrefix(f: DiagnosisFacts): Finding[] {
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
  const found: Finding[] = []
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
      advice:
        `Calls to ${p}… end with 503 NoAvailableRouter: no routing gateway takes this prefix, or every gateway that does is ` +
        'locked, offline, forbidden for the caller or outside its calendar. Add the prefix (or a shorter one) to a vendor, or ' +
        'switch a gateway with a shorter prefix to extension mode so it serves as fallback; check the result with ' +
        `GET /v1/analysis/routing?callee=${p}…`,
    })
  }
  visit('')
  return found
}

/** AllGatewayBusy (vendor lines full) concentrated at peak hours, and CallLimitExceeded per mapping gateway. */
export function findCapacityExhausted(f: DiagnosisFacts): Finding[] {
  const found: Finding[] = []
  const busy = f.reasonsByHour.filter((r) => r.reason === 'AllGatewayBusy')
  const busyCalls = busy.reduce((s, r) => s + r.calls, 0)
  if (busyCalls >= CAPACITY_MIN_CALLS) {
    const peak = Math.max(...busy.map((r) => r.calls))
    const peakHours = busy.filter((r) => r.calls >= CAPACITY_PEAK_SHARE * peak).map((r) => r.hourMs).sort((a, b) => a - b)
    found.push({
      kind: 'CapacityExhausted',
      severity: severityByShare(busyCalls, f.calls),
      scope: { side: 'routing' },
      evidence: { allGatewayBusyCalls: busyCalls, callsInWindow: f.calls, peakHours: peakHours.map((h) => new Date(h).toISOString()), peakHourCalls: peak },
      advice:
        'Calls fail with 503 AllGatewayBusy: every matching routing gateway (or its group) is at its line limit, mostly in the ' +
        'peak hours listed. Raise the line limits if the vendors allow more channels, add backup gateways for these prefixes ' +
        '(same prefix, higher priority number) or move reserved group lines to where the traffic is.',
    })
  }
  for (const r of f.callLimitByMappingGateway) {
    if (r.calls < CAPACITY_MIN_CALLS) continue
    found.push({
      kind: 'CapacityExhausted',
      severity: severityByShare(r.calls, f.calls),
      scope: { side: 'mapping', mappingGatewayId: r.mappingGatewayId },
      evidence: { callLimitExceededCalls: r.calls, callsInWindow: f.calls },
      advice:
        'The customer sends more concurrent calls than its mapping gateway or account line limit allows (503 CallLimitExceeded). ' +
        'Raise the line limit if the customer bought more channels, otherwise ask the customer to cap its outbound channels.',
    })
  }
  return found
}

/** Routing gateways whose clearing (vendor) account is under SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT. */
export function findVendorBalanceLow(f: DiagnosisFacts): Finding[] {
  const failedCalls = f.reasonsByHour.filter((r) => r.reason === 'AccountBalanceNotEnough').reduce((s, r) => s + r.calls, 0)
  const accounts = new Map(f.clearingAccounts.map((a) => [a.id, a]))
  const found: Finding[] = []
  for (const g of f.routingGateways) {
    const a = g.clearingAccountId === null ? undefined : accounts.get(g.clearingAccountId)
    if (a === undefined || a.balance >= f.clearingLimit) continue
    found.push({
      kind: 'VendorBalanceLow',
      severity: failedCalls > 0 ? 'critical' : 'warning',
      scope: { routingGatewayId: g.id, clearingAccountId: a.id },
      evidence: { balance: a.balance, limit: f.clearingLimit, accountBalanceNotEnoughCalls: failedCalls },
      advice:
        `The clearing account of this vendor has ${a.balance}, below SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT ` +
        `(${f.clearingLimit}), so routing skips the gateway and calls that only it can carry fail with 503 ` +
        'AccountBalanceNotEnough. Recharge the clearing account (POST /v1/accounts/{id}/payments) or lower the limit.',
    })
  }
  return found
}

/** Every finding for the window, most severe first. */
export function diagnose(f: DiagnosisFacts): Finding[] {
  const order = { critical: 0, warning: 1, info: 2 }
  return [
    ...findNoRouteForPrefix(f),
    ...findCapacityExhausted(f),
    ...findVendorBalanceLow(f),
    ...findNetworkTimeouts(f),
    ...findSlowGateways(f),
    ...findAuthFailures(f),
    ...findFalseAnswerSupervision(f),
    ...findLossRoutes(f),
    ...findSourceBans(f),
  ].sort((a, b) => order[a.severity] - order[b.severity])
}
