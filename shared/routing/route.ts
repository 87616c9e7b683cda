// The routing decision as one pure function: routing table + call facts + live counters, prices and quality → ordered candidates and every skipped gateway with its reason.
import type { RatingRate } from '../billing/rating.js'
import { callerIdFor, privacyTokens, type CallerIdOut } from './caller-id.js'
import { DialPlanRejection } from './dial-plan.js'
import {
  judgeFigures, judgeQuality, qualitySlot, qualityScore, scoreFigures, type QualityFigures, type QualitySource, type QualityVerdict,
} from './quality.js'
import { orderUsable, Usable } from './route-order.js'
import type { PrefixMatch } from './prefix-trie.js'
import type { GatewayGroupConfig, RoutingTable, RoutingTableGateway } from './routing-table.js'
import { rejectReasonFor, type RouteRejectReason, type RouteSkipReason } from './skip-reasons.js'
import type { WeekTime } from './work-calendar.js'

/** Facts of the call being routed (numbers after the mapping gateway's dial plan); without `random`, equal keys keep snapshot order and nothing is probed. */
export interface CallFacts {
  readonly callee: string
  readonly caller: string
  readonly mappingGatewayId: string
  readonly nowMs: number
  readonly random?: () => number
  /** What a rated customer pays for the callee; null/absent = unrated (no margin guard). */
  readonly customerRate?: RatingRate | null
  /** The mapping gateway allows loss routes (the margin guard is off for its calls). */
  readonly allowLossRoutes?: boolean
  /** The caller's Privacy header (RFC 3323), for the caller-ID rules. */
  readonly callerPrivacy?: string
}

/**
 * Live state; a missing entry means online / 0 calls / the snapshot balance / no calls in the quality window.
 * `online` matters only for gateways with optionsCheck (others are always online). `groupMappingCalls` is groupId →
 * mappingGatewayId → current calls.
 */
export interface RoutingLive {
  readonly online?: ReadonlyMap<string, boolean>
  readonly gatewayCalls?: ReadonlyMap<string, number>
  /** `gatewayCalls` by the table's gateway index, when the holder keeps them so (the core does); read instead of it. */
  readonly gatewayCallsAt?: (table: RoutingTable) => readonly (number | undefined)[]
  readonly groupCalls?: ReadonlyMap<string, number>
  readonly groupMappingCalls?: ReadonlyMap<string, ReadonlyMap<string, number>>
  /** Only `get` is read, so a ledger can answer per id without building a map per call. */
  readonly clearingBalances?: Pick<ReadonlyMap<string, number>, 'get'>
  /** Rolling ASR/ACD/PDD per routing gateway and route prefix. */
  readonly quality?: QualitySource
  /** Dynamic routing gateways with a live registration; a dynamic gateway not in it is skipped as unregistered. */
  readonly registered?: Pick<ReadonlySet<string>, 'has'>
}

/**
 * `listUnmatched` adds every gateway without a matching prefix as `noPrefixMatch`; `explain` looks up every
 * candidate's price and quality even when no sort or guard needs them (routing analysis wants both, calls do not).
 */
export interface RouteOptions {
  readonly listUnmatched?: boolean
  readonly explain?: boolean
}

/** A gateway to try, in order; numbers are already transformed for it. */
export interface RouteCandidate {
  routingGatewayId: string
  priority: number
  matchedPrefix: string
  protectRoute: boolean
  calleeOut: string
  callerOut: string
  host: string
  port: number
  callerId: CallerIdOut
  /** Vendor price per minute for `calleeOut`; null = unpriced, or not looked up (no sort, guard or explain needed it). */
  vendorPrice: number | null
  /** The vendor rate's prefix. */
  vendorPricePrefix: string | null
  /** Customer price minus vendor price, per minute; null when either is unknown. */
  margin: number | null
  /** Figures of the quality window; null = none in the window, or not looked up. */
  quality: QualityFigures | null
  /** Quality judgement (null when quality was not looked up). */
  qualityVerdict: QualityVerdict | null
  /** Quality moved it back (demote mode) or scored it down (score mode) on this call. */
  demoted: boolean
  /** Judged bad but kept its place on this call (SS_ROUTE_PROBE_PERCENT). */
  probe: boolean
}

/** A gateway that was not a candidate; `matchedPrefix` is null for `noPrefixMatch`; prices are set for `priceAboveCustomer`. */
export interface RouteRejection {
  routingGatewayId: string
  reason: RouteSkipReason
  matchedPrefix: string | null
  vendorPrice?: number
  customerPrice?: number
}

/** The decision: the full ordered list (the call layer caps it at SS_MAX_ROUTING_ATTEMPTS), or a terminal reason. */
export type RouteDecision =
  | { kind: 'route'; candidates: RouteCandidate[]; rejected: RouteRejection[] }
  | { kind: 'reject'; reason: RouteRejectReason; rejected: RouteRejection[] }

/**
 * Lines of `group` that mapping gateway `m` may still take: lineLimit − current − Σ over every OTHER mapping gateway o
 * of max(0, reserved(o) − current(o in group)). Another gateway's unused reservation is held back from `m`; `m`'s own
 * reservation is never subtracted, so it can always use it. lineLimit 0 = unlimited, and reservations then do nothing.
 */
export function groupFreeLines(group: GatewayGroupConfig, m: string, live: RoutingLive): number {
  if (group.lineLimit === 0) return Number.POSITIVE_INFINITY
  const byMapping = live.groupMappingCalls?.get(group.id)
  let heldForOthers = 0
  for (const r of group.reservedLines) {
    if (r.mappingGatewayId !== m) heldForOthers += Math.max(0, r.lines - (byMapping?.get(r.mappingGatewayId) ?? 0))
  }
  return group.lineLimit - (live.groupCalls?.get(group.id) ?? 0) - heldForOthers
}

interface Eval {
  readonly table: RoutingTable
  readonly facts: CallFacts
  readonly live: RoutingLive
  weekTime: WeekTime | undefined
  /** Prices are needed: least-cost sorting, the margin guard, or an explanation. */
  readonly pricing: boolean
  readonly lcr: boolean
  /** Customer price per minute when the margin guard applies to this call, else null. */
  readonly guardPrice: number | null
  /** Current calls by gateway index (null: read `live.gatewayCalls` by id). */
  readonly calls: readonly (number | undefined)[] | null
}

/** First configuration reason (in ROUTE_SKIP_REASONS order, before dial plans and prices) that keeps a prefix-matching gateway out. */
function configSkip(g: RoutingTableGateway, matchLength: number, longest: number, e: Eval): RouteSkipReason | null {
  const { live, facts } = e
  if (g.expiration && matchLength < longest) return 'shorterPrefixExpiration'
  if (g.barred) return 'locked'
  if (g.ruleIds !== null) {
    const listed = g.ruleIds.has(facts.mappingGatewayId)
    if (g.ruleMode === 'allow' && !listed) return 'mappingGatewayNotAllowed'
    if (g.ruleMode === 'forbid' && listed) return 'mappingGatewayForbidden'
  }
  if (g.optionsCheck && live.online?.get(g.id) === false) return 'offline'
  if (g.dynamic && live.registered?.has(g.id) !== true) return 'unregistered'
  if (g.group === undefined) return 'groupUnknown'
  if (g.isOpen !== null) {
    e.weekTime ??= e.table.weekTime(facts.nowMs)
    if (!g.isOpen(e.weekTime)) return 'outsideCalendar'
  }
  if (g.clearing === undefined) return 'clearingAccountUnknown'
  if (g.clearing !== null) {
    if (g.clearing.status === 'locked') return 'clearingAccountLocked'
    const balance = live.clearingBalances?.get(g.clearing.id) ?? g.clearing.balance
    if (balance < e.table.params.SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT) return 'clearingBalanceLow'
  }
  return null
}

/** Line limits: checked last, so a gateway skipped for them was otherwise usable. */
function busySkip(g: RoutingTableGateway, e: Eval): RouteSkipReason | null {
  if (g.lineLimit > 0 && ((e.calls === null ? e.live.gatewayCalls?.get(g.id) : e.calls[g.index]) ?? 0) >= g.lineLimit) return 'lineLimit'
  if (g.group != null && groupFreeLines(g.group, e.facts.mappingGatewayId, e.live) <= 0) return 'groupLineLimit'
  return null
}

/** Whether `g` is usable (then filled into `u`), else its rejection is pushed. */
function evaluate(g: RoutingTableGateway, m: PrefixMatch<number>, slot: number, longest: number, e: Eval, rejected: RouteRejection[], u: Usable): boolean {
  const length = m.length
  const { facts } = e
  let reason = configSkip(g, length, longest, e)
  let calleeOut: string | null = null
  let callerOut: string | null = null
  let price = Number.NaN
  let pricePrefix: string | null = null
  if (reason === null && (e.pricing || g.calleePlan.canReject)) {
    const out = g.calleePlan.apply(facts.callee)
    if (out instanceof DialPlanRejection) reason = 'dialPlanRejected'
    else calleeOut = out
  }
  if (reason === null && g.callerPlan.canReject) {
    const out = g.callerPlan.apply(facts.caller)
    if (out instanceof DialPlanRejection) reason = 'dialPlanRejected'
    else callerOut = out
  }
  if (reason === null && e.pricing) {
    const prices = e.table.prices!
    price = g.rateKey < 0 ? Number.NaN : prices.findPrice(g.rateKey, calleeOut!, facts.nowMs)
    if (Number.isNaN(price)) {
      if (e.lcr && e.table.params.SS_ROUTE_UNPRICED_GATEWAYS === 'skip') reason = 'unpriced'
    } else if (e.guardPrice !== null && !g.allowLossRoutes && price > e.guardPrice) {
      rejected.push({
        routingGatewayId: g.id, reason: 'priceAboveCustomer', matchedPrefix: m.prefix, vendorPrice: price, customerPrice: e.guardPrice,
      })
      return false
    } else pricePrefix = prices.pricePrefix
  }
  reason ??= busySkip(g, e)
  if (reason !== null) {
    rejected.push({ routingGatewayId: g.id, reason, matchedPrefix: m.prefix })
    return false
  }
  u.g = g
  u.length = length
  u.prefix = m.prefix
  u.slot = slot
  u.calleeOut = calleeOut
  u.callerOut = callerOut
  u.price = price
  u.pricePrefix = pricePrefix
  u.quality = undefined
  u.verdict = null
  u.score = 1
  u.demoted = false
  u.probe = false
  return true
}

/** Quality of usable[0, n) (one read of flat arrays each, by route slot), with demotion and probes as the parameters say. */
function applyQuality(usable: Usable[], n: number, e: Eval, explain: boolean): void {
  const p = e.table.params
  const mode = p.SS_GATEWAY_ASR_ROUTE_SORT_CONFIG
  const source = e.live.quality
  if ((mode === 'off' && !explain) || source === undefined) return
  const { facts } = e
  const random = facts.random
  const table = e.table
  const view = source.slotsAt === undefined ? undefined : source.slotsAt(table, facts.nowMs)
  for (let i = 0; i < n; i++) {
    const u = usable[i]!
    if (view !== undefined) {
      const b = qualitySlot(view, u.slot)
      const flat = view.flat
      const calls = flat[b]!
      u.quality = calls === 0 ? undefined : view.figuresOf(u.slot)
      u.verdict = calls === 0 ? 'unjudged' : judgeFigures(calls, flat[b + 1]!, flat[b + 2]!, p)
      if (mode === 'score') u.score = calls === 0 ? 1 : scoreFigures(calls, flat[b + 1]!, flat[b + 2]!, p)
    } else {
      const f = source.figuresAt === undefined ? source.figures(u.g.id, u.prefix, facts.nowMs) : source.figuresAt(table, u.g.index, u.prefix, facts.nowMs)
      u.quality = f
      u.verdict = judgeQuality(f, p)
      if (mode === 'score') u.score = qualityScore(f, p)
    }
    if (mode === 'off' || (u.verdict !== 'lowAsr' && u.verdict !== 'highPdd')) continue
    u.probe = random !== undefined && random() * 100 < p.SS_ROUTE_PROBE_PERCENT
    u.demoted = !u.probe
  }
}

const roundMoney = (x: number): number => Math.round(x * 1e9) / 1e9

/** The candidate a usable gateway becomes: numbers transformed for it, its caller ID, price and quality. */
function toCandidate(u: Usable, e: Eval, tokens: readonly string[], customerPrice: number | null): RouteCandidate {
  const g = u.g
  const { facts } = e
  const calleeOut = u.calleeOut ?? (g.calleePlan.apply(facts.callee) as string)
  const callerOut = u.callerOut ?? (g.callerPlan.apply(facts.caller) as string)
  const vendorPrice = Number.isNaN(u.price) ? null : u.price
  return {
    routingGatewayId: g.id,
    priority: g.priority,
    matchedPrefix: u.prefix,
    protectRoute: g.protectRoute,
    calleeOut,
    callerOut,
    host: g.host,
    port: g.port,
    callerId: callerIdFor(g.callerId, callerOut, tokens),
    vendorPrice,
    vendorPricePrefix: u.pricePrefix,
    margin: vendorPrice === null || customerPrice === null ? null : roundMoney(customerPrice - vendorPrice),
    quality: u.quality ?? null,
    qualityVerdict: u.verdict,
    demoted: u.demoted,
    probe: u.probe,
  }
}

/**
 * Decides where a call goes. L (the longest match length) counts every prefix-matching gateway, skipped or not, so a
 * locked longer-prefix gateway still keeps a shorter `expiration` gateway out (the A/B example of docs/architecture.md
 * "Routing"). Prices are looked up per usable gateway (one trie walk of its vendor's rate table) only when least-cost
 * sorting, the margin guard or `explain` needs them; quality only when a quality sort or `explain` does.
 */
export function decideRoute(table: RoutingTable, facts: CallFacts, live: RoutingLive = {}, options: RouteOptions = {}): RouteDecision {
  const p = table.params
  const explain = options.explain === true
  const lcr = p.SS_GATEWAY_FEE_RATE_ROUTE_SORT_CONFIG
  const customerPrice = facts.customerRate == null ? null : facts.customerRate.pricePerMinute
  const guardPrice = p.SS_ROUTE_MARGIN_GUARD && facts.allowLossRoutes !== true ? customerPrice : null
  const calls = live.gatewayCallsAt === undefined ? null : live.gatewayCallsAt(table)
  const e: Eval = { table, facts, live, weekTime: undefined, pricing: lcr || guardPrice !== null || explain, lcr, guardPrice, calls }
  const s = busy ? new Scratch() : SCRATCH
  busy = true
  try {
    return decide(table, facts, options, e, customerPrice, s)
  } finally {
    if (s === SCRATCH) busy = false
  }
}

/** Arrays a decision works in, kept between decisions so one allocates little beyond what it returns. */
class Scratch {
  readonly matches: PrefixMatch<number>[] = []
  /** Usable gateways of the decision in [0, n); the objects are reused, only their order changes. */
  readonly usable: Usable[] = []
}

const SCRATCH = new Scratch()
/** A decision is under way on SCRATCH (only if something it calls, such as `random`, routed again; that one gets its own). */
let busy = false

/** decideRoute's work on scratch `s`: the matching gateways evaluated longest prefix first, the usable ones ordered into candidates. */
function decide(table: RoutingTable, facts: CallFacts, options: RouteOptions, e: Eval, customerPrice: number | null, s: Scratch): RouteDecision {
  const p = table.params
  const matches = s.matches
  const count = table.trie.matchesInto(facts.callee, matches)
  const longest = count === 0 ? 0 : matches[count - 1]!.length
  let seen: Set<number> | undefined
  const usable = s.usable
  let n = 0
  const rejected: RouteRejection[] = []
  for (let k = count - 1; k >= 0; k--) {
    const m = matches[k]!
    const values = m.values
    for (let v = 0; v < values.length; v++) {
      const index = values[v]!
      const g = table.gateways[index]!
      if (g.nested) {
        seen ??= new Set()
        if (seen.has(index)) continue
        seen.add(index)
      }
      if (n === usable.length) usable.push(new Usable())
      if (evaluate(g, m, m.ordinals[v]!, longest, e, rejected, usable[n]!)) n++
    }
  }
  if (options.listUnmatched === true) {
    const matched = new Set<number>()
    for (let k = 0; k < count; k++) for (const index of matches[k]!.values) matched.add(index)
    for (const g of table.gateways) {
      if (!matched.has(g.index)) rejected.push({ routingGatewayId: g.config.id, reason: 'noPrefixMatch', matchedPrefix: null })
    }
  }
  if (n === 0) return { kind: 'reject', reason: rejectReasonFor(rejected), rejected }
  applyQuality(usable, n, e, options.explain === true)
  orderUsable(usable, n, p, facts.random)
  const tokens = privacyTokens(facts.callerPrivacy)
  const candidates = new Array<RouteCandidate>(n)
  for (let i = 0; i < n; i++) candidates[i] = toCandidate(usable[i]!, e, tokens, customerPrice)
  return { kind: 'route', candidates, rejected }
}
