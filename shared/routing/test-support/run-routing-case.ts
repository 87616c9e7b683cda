// Runs a shared routing case the way admission does (ingress plans, customer price, decideRoute), and turns its quality records into finished calls.
import { RateBook } from '../../billing/rate-book.js'
import type { RatingRate } from '../../billing/rating.js'
import { GatewayIndexed } from '../gateway-index.js'
import { applyIngress, compileIngress } from '../ingress.js'
import { RollingQuality, type QualityCdr } from '../quality.js'
import { decideRoute, type RouteCandidate, type RouteDecision, type RouteRejection } from '../route.js'
import { ROUTING_CASES, routingLiveFromRecords, type CaseRate, type RoutingCase } from './routing-cases.js'
import { buildRoutingTable } from '../routing-table.js'
import { MONEY_ROUTING_CASES } from './money-routing-cases.js'

/** Every shared routing case. */
export const ALL_ROUTING_CASES: readonly RoutingCase[] = [...ROUTING_CASES, ...MONEY_ROUTING_CASES]

/** A case outcome: the routing decision, or the ingress dial plan's refusal. */
export type CaseOutcome =
  | RouteDecision
  | { kind: 'reject'; reason: 'DialPlanRejected'; status: number; rejected: RouteRejection[] }

/** A rate row of a case rate (60/60 increments, in effect since the epoch). */
export function caseRateRow(r: CaseRate, i: number): RatingRate & { id: string; rateTableId: string } {
  return { id: `rate_${i}`, rateTableId: r.rateTableId, prefix: r.prefix, pricePerMinute: r.pricePerMinute, firstIncrementSec: 60, nextIncrementSec: 60, effectiveFromMs: 0 }
}

/**
 * The finished calls behind a case's quality records, oldest first, all ending in the minute before `nowMs`: one call
 * per attempt, failed ones with 503, answered ones talking `talkSec` (default 30).
 */
export function caseQualityCdrs(c: RoutingCase): (QualityCdr & { endedAtMs: number })[] {
  const out: (QualityCdr & { endedAtMs: number })[] = []
  let t = c.facts.nowMs - 60_000
  for (const q of c.quality ?? []) {
    for (let i = 0; i < q.answered + q.failed; i++) {
      const answered = i < q.answered
      const talk = answered ? (q.talkSec ?? 30) : 0
      t += 10
      out.push({
        endedAtMs: t,
        answeredAtMs: answered ? t - talk * 1000 : null,
        durationSec: talk,
        attempts: [{ routingGatewayId: q.routingGatewayId, matchedPrefix: q.prefix, sipCode: answered ? 200 : 503, pddMs: q.pddMs ?? null }],
      })
    }
  }
  return out
}

/**
 * Runs a case: the mapping gateway's ingress plans, the customer's price for the routed callee, then decideRoute. Live
 * gateway calls and quality come by the table's gateway index as the core keeps them, or (`keyed`) only by id.
 */
export function runRoutingCase(c: RoutingCase, opts: { random?: () => number; keyed?: boolean } = {}): CaseOutcome {
  const prices = new RateBook((c.rates ?? []).map(caseRateRow), c.facts.nowMs)
  const table = buildRoutingTable({ ...c.snapshot, prices })
  const ingress = applyIngress(compileIngress({ calleeRules: c.mapping?.calleeRules ?? [], callerRules: c.mapping?.callerRules ?? [] }), c.facts.callee, c.facts.caller)
  if (ingress.kind === 'rejected') return { kind: 'reject', reason: 'DialPlanRejected', status: ingress.status, rejected: [] }
  const quality = new RollingQuality(() => c.snapshot.params)
  for (const cdr of caseQualityCdrs(c)) quality.record(cdr)
  const customerRate = c.customerRateTableId === undefined ? null : prices.find(c.customerRateTableId, ingress.callee, c.facts.nowMs)
  const facts = {
    ...c.facts, callee: ingress.callee, caller: ingress.caller, customerRate, allowLossRoutes: c.mapping?.allowLossRoutes ?? false,
    ...(opts.random === undefined ? {} : { random: opts.random }),
  }
  const live = routingLiveFromRecords(c.live)
  if (opts.keyed === true) return decideRoute(table, facts, { ...live, quality: { figures: (id, prefix, nowMs) => quality.figures(id, prefix, nowMs) } }, c.options)
  const calls = new GatewayIndexed<number>()
  for (const [id, n] of live.gatewayCalls ?? []) calls.set(id, n)
  return decideRoute(table, facts, { ...live, gatewayCallsAt: (t) => calls.at(t), quality }, c.options)
}

/** Candidate ids in try order ([] for a rejection). */
export function candidateIds(d: CaseOutcome): string[] {
  return d.kind === 'route' ? d.candidates.map((x: RouteCandidate) => x.routingGatewayId) : []
}
