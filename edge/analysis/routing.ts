// Routing analysis: the core's pure decideRoute on the current configuration and the last published gateway status.
import { asc, eq } from 'drizzle-orm'
import { accounts, gatewayGroups, gatewayStatus, mappingGateways, routingGateways } from '../../shared/db/schema.js'
import { buildRoutingTable, decideRoute, type RouteDecision, type RoutingLive, type RoutingSnapshot } from '../../shared/routing/route.js'
import type { Queryable } from '../env.js'
import { badRequest } from '../errors.js'
import { readEffectiveParams } from '../params-store.js'

/** Facts of the call to analyse; `timeZone` (IANA) overrides SS_TIMEZONE for the group calendars. */
export interface RoutingQuestion {
  callee: string
  caller: string
  mappingGatewayId: string
  nowMs: number
  timeZone?: string
}

/** The configuration as the core snapshots it (calendars in SS_TIMEZONE unless overridden); gateways in creation order, which decides equal-priority ties. */
export async function readRoutingSnapshot(db: Queryable, timeZone?: string): Promise<RoutingSnapshot & { timeZone: string }> {
  const [gateways, groups, clearing, params] = await Promise.all([
    db.select().from(routingGateways).orderBy(asc(routingGateways.createdAtMs), asc(routingGateways.id)),
    db.select().from(gatewayGroups),
    db.select({ id: accounts.id, status: accounts.status, balance: accounts.balance }).from(accounts),
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
  const rows = await db.select().from(gatewayStatus).where(eq(gatewayStatus.kind, 'routing'))
  const online = new Map(rows.map((r) => [r.gatewayId, r.online]))
  const gatewayCalls = new Map(rows.map((r) => [r.gatewayId, r.currentCalls]))
  const groupCalls = new Map<string, number>()
  for (const g of snapshot.routingGateways) {
    if (g.groupId !== null) groupCalls.set(g.groupId, (groupCalls.get(g.groupId) ?? 0) + (gatewayCalls.get(g.id) ?? 0))
  }
  return { online, gatewayCalls, groupCalls }
}

/** Decides the route the core would take now (every gateway without a matching prefix listed as noPrefixMatch) and the zone used; 400 for an unknown mapping gateway. */
export async function analyseRouting(db: Queryable, q: RoutingQuestion): Promise<{ decision: RouteDecision; timeZone: string }> {
  const known = await db.select({ id: mappingGateways.id }).from(mappingGateways).where(eq(mappingGateways.id, q.mappingGatewayId)).limit(1)
  if (known.length === 0) throw badRequest('unknown mapping gateway', [{ path: 'mappingGatewayId', message: `no mapping gateway with id ${q.mappingGatewayId}` }])
  const snapshot = await readRoutingSnapshot(db, q.timeZone)
  const live = await readRoutingLive(db, snapshot)
  const facts = { callee: q.callee, caller: q.caller, mappingGatewayId: q.mappingGatewayId, nowMs: q.nowMs }
  return { decision: decideRoute(buildRoutingTable(snapshot), facts, live, { listUnmatched: true }), timeZone: snapshot.timeZone }
}
