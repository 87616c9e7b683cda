// Routing analysis: the core's admission routing (ingress dial plan, customer price, decideRoute) on the current configuration, the rates that can apply, the last published gateway status and the quality window read back from CDRs.
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { RateBook } from '../../shared/billing/rate-book.js'
import type { RatingRate } from '../../shared/billing/rating.js'
import { accounts, cdrs, gatewayGroups, mappingGateways, rates, routingGateways } from '../../shared/db/schema.js'
import type { CdrAttemptRow } from '../../shared/entities/fields.js'
import type { RateRow } from '../../shared/entities/rate.js'
import { applyIngress, compileIngress } from '../../shared/routing/ingress.js'
import { RollingQuality, type QualityCdr } from '../../shared/routing/quality.js'
import { decideRoute, type RouteDecision, type RoutingLive } from '../../shared/routing/route.js'
import { buildRoutingTable, withPrices, type RoutingSnapshot, type RoutingTable } from '../../shared/routing/routing-table.js'
import type { Queryable } from '../env.js'
import { readGatewayStatus } from '../live/gateway-status.js'
import { readRegistrations } from '../live/registrations.js'
import { badRequest } from '../errors.js'
import { readEffectiveParams } from '../params-store.js'

/** Facts of the call to analyse (numbers as the mapping gateway sends them); `timeZone` (IANA) overrides SS_TIMEZONE for the group calendars. */
export interface RoutingQuestion {
  callee: string
  caller: string
  mappingGatewayId: string
  nowMs: number
  timeZone?: string
  /** The caller's Privacy header, for the caller-ID rules. */
  callerPrivacy?: string
}

/** What the analysis found: the decision (or the ingress plan's refusal), the numbers routed and the customer price. */
export interface RoutingAnswer {
  decision: RouteDecision | { kind: 'reject'; reason: 'DialPlanRejected'; status: number; rejected: [] }
  timeZone: string
  /** Numbers after the mapping gateway's dial plan (null when it refused them). */
  routed: { callee: string; caller: string } | null
  /** The rated customer's price per minute for the routed callee, null when unrated (or without a rate). */
  customerPrice: number | null
  /** The routing table the decision used (the route explains candidates with its parameters). */
  table: RoutingTable
}

/** The configuration as the core snapshots it (calendars in SS_TIMEZONE unless overridden); gateways in creation order, which decides equal-priority ties. */
export async function readRoutingSnapshot(db: Queryable, timeZone?: string): Promise<RoutingSnapshot & { timeZone: string }> {
  const [gateways, groups, clearing, params] = await Promise.all([
    db.select().from(routingGateways).orderBy(asc(routingGateways.createdAtMs), asc(routingGateways.id)),
    db.select().from(gatewayGroups),
    db.select({ id: accounts.id, status: accounts.status, balance: accounts.balance, rateTableId: accounts.rateTableId }).from(accounts),
    readEffectiveParams(db),
  ])
  return { routingGateways: gateways, gatewayGroups: groups, clearingAccounts: clearing, params, timeZone: timeZone ?? params.SS_TIMEZONE }
}

/**
 * Live state from `gateway_status`: online and current calls per routing gateway; a group's calls are the sum over
 * its gateways. Calls per (group, mapping gateway) are not published, so every other mapping gateway's reservation
 * counts as wholly unused (the conservative reading: analysis may report groupLineLimit a little early).
 */
export async function readRoutingLive(db: Queryable, snapshot: RoutingSnapshot): Promise<RoutingLive> {
  const rows = await readGatewayStatus(db, 'routing', Date.now())
  const online = new Map(rows.map((r) => [r.gatewayId, r.online]))
  const gatewayCalls = new Map(rows.map((r) => [r.gatewayId, r.currentCalls]))
  const groupCalls = new Map<string, number>()
  for (const g of snapshot.routingGateways) {
    if (g.groupId !== null) groupCalls.set(g.groupId, (groupCalls.get(g.groupId) ?? 0) + (gatewayCalls.get(g.id) ?? 0))
  }
  // Dynamic gateways count as reachable while a core holds a live registration of theirs.
  const registered = new Set((await readRegistrations(db, Date.now(), { kind: 'routing' })).map((r) => r.gatewayId))
  return { online, gatewayCalls, groupCalls, registered }
}

/** Every prefix (and '') of each number, as the rates index could hold them. */
function prefixesOf(numbers: Iterable<string>): string[] {
  const out = new Set([''])
  for (const n of numbers) for (let i = 1; i <= Math.min(n.length, 32); i++) out.add(n.slice(0, i))
  return [...out]
}

/** The rates of these tables whose prefix starts one of the numbers, at every effective-from (one indexed IN lookup). */
async function ratesFor(db: Queryable, tableIds: ReadonlySet<string>, numbers: ReadonlySet<string>): Promise<RateRow[]> {
  if (tableIds.size === 0) return []
  return db.select().from(rates).where(and(inArray(rates.rateTableId, [...tableIds]), inArray(rates.prefix, prefixesOf(numbers))))
}

/**
 * The quality window of these gateways as the core keeps it: their attempts in calls that ended within
 * SS_ROUTE_QUALITY_WINDOW_MINUTES before `nowMs`, fed in the order the calls ended into the shared RollingQuality.
 */
export async function readQuality(db: Queryable, table: RoutingTable, gatewayIds: readonly string[], nowMs: number): Promise<RollingQuality> {
  const quality = new RollingQuality(() => table.params)
  if (gatewayIds.length === 0) return quality
  const fromMs = nowMs - table.params.SS_ROUTE_QUALITY_WINDOW_MINUTES * 60_000
  const rows = await db.all<{ id: string; endedAtMs: number; answeredAtMs: number | null; durationSec: number; attempt: string }>(sql`
    select c.id as id, c.ended_at_ms as endedAtMs, c.answered_at_ms as answeredAtMs, c.duration_sec as durationSec, a.value as attempt
    from ${cdrs} as c, json_each(c.attempts) as a
    where c.ended_at_ms between ${fromMs} and ${nowMs}
      and json_extract(a.value, '$.routingGatewayId') in (${sql.join(gatewayIds.map((id) => sql`${id}`), sql`, `)})
    order by c.ended_at_ms, c.rowid, a.key`)
  let current: (QualityCdr & { id: string; attempts: CdrAttemptRow[] }) | null = null
  for (const r of rows) {
    if (current === null || current.id !== r.id) {
      if (current !== null) quality.record(current)
      current = { id: r.id, endedAtMs: r.endedAtMs, answeredAtMs: r.answeredAtMs, durationSec: r.durationSec, attempts: [] }
    }
    current.attempts.push(JSON.parse(r.attempt) as CdrAttemptRow)
  }
  if (current !== null) quality.record(current)
  return quality
}

/**
 * Decides the route the core would take now, the way admission does: the mapping gateway's ingress dial plan, the
 * customer's price for the routed callee, then decideRoute with every unmatched gateway listed as noPrefixMatch and
 * every candidate's price and quality looked up; 400 for an unknown mapping gateway.
 */
export async function analyseRouting(db: Queryable, q: RoutingQuestion): Promise<RoutingAnswer> {
  const [mapping] = await db
    .select({ id: mappingGateways.id, calleeRules: mappingGateways.calleeRules, callerRules: mappingGateways.callerRules, allowLossRoutes: mappingGateways.allowLossRoutes, rateTableId: accounts.rateTableId })
    .from(mappingGateways).leftJoin(accounts, eq(accounts.id, mappingGateways.accountId))
    .where(eq(mappingGateways.id, q.mappingGatewayId)).limit(1)
  if (mapping === undefined) throw badRequest('unknown mapping gateway', [{ path: 'mappingGatewayId', message: `no mapping gateway with id ${q.mappingGatewayId}` }])
  const snapshot = await readRoutingSnapshot(db, q.timeZone)
  const bare = buildRoutingTable(snapshot)
  const ingress = applyIngress(compileIngress(mapping), q.callee, q.caller)
  if (ingress.kind === 'rejected') {
    return { decision: { kind: 'reject', reason: 'DialPlanRejected', status: ingress.status, rejected: [] }, timeZone: snapshot.timeZone, routed: null, customerPrice: null, table: bare }
  }
  // Only the gateways whose prefix matches can be priced: their rate tables at the numbers they would be sent.
  const matching = bare.trie.matches(ingress.callee).flatMap((m) => m.values.map((i) => bare.gateways[i]!))
  const tables = new Set<string>()
  const numbers = new Set([ingress.callee])
  for (const g of matching) {
    if (g.rateTableId === null) continue
    tables.add(g.rateTableId)
    const out = g.calleePlan.apply(ingress.callee)
    if (typeof out === 'string') numbers.add(out)
  }
  const customerTable = mapping.rateTableId ?? null
  if (customerTable !== null) tables.add(customerTable)
  const book = new RateBook(await ratesFor(db, tables, numbers), q.nowMs)
  const table = withPrices(bare, book)
  const customerRate: RatingRate | null = customerTable === null ? null : book.find(customerTable, ingress.callee, q.nowMs)
  const live = await readRoutingLive(db, snapshot)
  const quality = await readQuality(db, table, [...new Set(matching.map((g) => g.config.id))], q.nowMs)
  const facts = {
    callee: ingress.callee, caller: ingress.caller, mappingGatewayId: q.mappingGatewayId, nowMs: q.nowMs, customerRate,
    allowLossRoutes: mapping.allowLossRoutes, ...(q.callerPrivacy === undefined ? {} : { callerPrivacy: q.callerPrivacy }),
  }
  const decision = decideRoute(table, facts, { ...live, quality }, { listUnmatched: true, explain: true })
  return { decision, timeZone: snapshot.timeZone, routed: { callee: ingress.callee, caller: ingress.caller }, customerPrice: customerRate?.pricePerMinute ?? null, table }
}
