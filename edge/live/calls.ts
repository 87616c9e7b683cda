// Reads calls in progress as the core nodes published them, leaving out the rows of nodes that stopped publishing.
import { and, desc, eq, inArray, type SQL } from 'drizzle-orm'
import { coreNodes, liveCalls } from '../../shared/db/schema.js'
import { coreNodeFromRow, isStaleNode, liveCallFromRow, type CoreNode, type LiveCall } from '../../shared/entities/live-call.js'
import type { Queryable } from '../env.js'

/** Filters of GET /v1/calls. */
export interface LiveCallFilters {
  nodeId?: string | undefined
  gatewayId?: string | undefined
  mappingGatewayId?: string | undefined
  routingGatewayId?: string | undefined
  accountId?: string | undefined
  state?: LiveCall['state'] | undefined
}

/** Every known node with its staleness at `nowMs`. */
export async function readNodes(db: Queryable, nowMs: number): Promise<CoreNode[]> {
  const rows = await db.select().from(coreNodes).orderBy(coreNodes.nodeId)
  return rows.map((r) => coreNodeFromRow(r, nowMs))
}

/** Calls of live nodes matching `filters`, newest first, at most `limit`; `total` counts every match. */
export async function readLiveCalls(
  db: Queryable,
  filters: LiveCallFilters,
  limit: number,
  nowMs: number,
): Promise<{ items: LiveCall[]; total: number; nodes: CoreNode[] }> {
  const nodes = await readNodes(db, nowMs)
  const live = nodes.filter((n) => !n.stale).map((n) => n.nodeId)
  if (live.length === 0) return { items: [], total: 0, nodes }
  const where: (SQL | undefined)[] = [inArray(liveCalls.nodeId, live)]
  if (filters.nodeId !== undefined) where.push(eq(liveCalls.nodeId, filters.nodeId))
  if (filters.mappingGatewayId !== undefined) where.push(eq(liveCalls.mappingGatewayId, filters.mappingGatewayId))
  if (filters.routingGatewayId !== undefined) where.push(eq(liveCalls.routingGatewayId, filters.routingGatewayId))
  if (filters.accountId !== undefined) where.push(eq(liveCalls.accountId, filters.accountId))
  if (filters.state !== undefined) where.push(eq(liveCalls.state, filters.state))
  const rows = await db.select().from(liveCalls).where(and(...where)).orderBy(desc(liveCalls.startedAtMs), desc(liveCalls.id))
  const matching = filters.gatewayId === undefined ? rows : rows.filter((r) => r.mappingGatewayId === filters.gatewayId || r.routingGatewayId === filters.gatewayId)
  return { items: matching.slice(0, limit).map((r) => liveCallFromRow(r, nowMs)), total: matching.length, nodes }
}

/** One call in progress on a live node, or null (unknown, ended, or its node went stale). */
export async function readLiveCall(db: Queryable, id: string, nowMs: number): Promise<LiveCall | null> {
  const rows = await db
    .select({ call: liveCalls, node: coreNodes })
    .from(liveCalls)
    .innerJoin(coreNodes, eq(coreNodes.nodeId, liveCalls.nodeId))
    .where(eq(liveCalls.id, id))
    .limit(1)
  const row = rows[0]
  if (row === undefined || isStaleNode(row.node, nowMs)) return null
  return liveCallFromRow(row.call, nowMs)
}
