// Reads live gateway state as the core nodes published it, one row per node summed into one per gateway, leaving out the rows of nodes that stopped publishing.
import { and, asc, eq } from 'drizzle-orm'
import { gatewayStatus } from '../../shared/db/schema.js'
import type { GatewayKind } from '../../shared/entities/enums.js'
import { sumGatewayStatus, type GatewayStatusRow } from '../../shared/entities/gateway-status.js'
import type { Queryable } from '../env.js'
import { readNodes } from './calls.js'

/** Gateways of `kind` (or the one `gatewayId`) as every live node sees them, summed (shared/entities/gateway-status.ts), by gateway id. */
export async function readGatewayStatus(db: Queryable, kind: GatewayKind, nowMs: number, gatewayId?: string): Promise<GatewayStatusRow[]> {
  const where = gatewayId === undefined ? eq(gatewayStatus.kind, kind) : and(eq(gatewayStatus.kind, kind), eq(gatewayStatus.gatewayId, gatewayId))
  const [rows, nodes] = await Promise.all([db.select().from(gatewayStatus).where(where).orderBy(asc(gatewayStatus.gatewayId), asc(gatewayStatus.nodeId)), readNodes(db, nowMs)])
  return sumGatewayStatus(rows, new Set(nodes.filter((n) => n.stale).map((n) => n.nodeId)))
}
