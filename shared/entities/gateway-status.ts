// Zod schemas, types and row mapping for live gateway status published by the core (docs/api.md, GET /v1/status/gateways).
import { z } from 'zod'
import type { gatewayStatus as gatewayStatusTable } from '../db/tables/gateway-status.js'
import { GATEWAY_KINDS } from './enums.js'
import { entityId, isoFromMs, isoFromMsOrNull, isoTime, sipStatusCode } from './fields.js'
import { registrationSummary, type RegistrationSummary } from './registration.js'

/** Row shapes of the `gateway_status` table. */
export type GatewayStatusRow = typeof gatewayStatusTable.$inferSelect
export type GatewayStatusInsert = typeof gatewayStatusTable.$inferInsert

const fields = {
  kind: z.enum(GATEWAY_KINDS),
  gatewayId: entityId,
  online: z.boolean().describe('false after SS_OPTIONS_FAILURES_TO_OFFLINE failed OPTIONS checks'),
  rttMs: z.number().int().min(0).nullable().describe('round trip of the last OPTIONS check'),
  lossRatio: z.number().min(0).max(1).nullable().describe('share of recent OPTIONS checks without answer'),
  lastCode: sipStatusCode.nullable().describe('status of the last OPTIONS answer'),
  currentCalls: z.number().int().min(0),
  callsPerSec: z.number().min(0),
  nodeId: z.string().min(1).max(128).describe('core node that published the row'),
}

/** What a core publishes for one gateway (upserted on (kind, gatewayId, nodeId): each node its own row). */
export const gatewayStatusCreate = z.strictObject({
  ...fields,
  lastCheckAtMs: z.number().int().min(0).nullable(),
  updatedAtMs: z.number().int().min(0),
})

/** Public JSON shape of one gateway status row. */
export const gatewayStatus = z.object({ ...fields, lastCheckAt: isoTime.nullable(), updatedAt: isoTime })

/** Item of GET /v1/status/gateways (routing gateways only). */
export const routingGatewayStatusItem = z.object({
  routingGatewayId: entityId,
  online: z.boolean(),
  lastCheckAt: isoTime.nullable(),
  rttMs: z.number().int().nullable(),
  currentCalls: z.number().int(),
  callsPerSec: z.number().describe('calls sent to the gateway per second over the last 30 s'),
  lossRatio: z.number().nullable(),
  lastCode: z.number().int().nullable(),
  updatedAt: isoTime,
  registration: registrationSummary.nullable().describe('a dynamic gateway\'s freshest live registration; null when none'),
})

/** Item of GET /v1/status/mapping-gateways. */
export const mappingGatewayStatusItem = z.object({
  mappingGatewayId: entityId,
  currentCalls: z.number().int().describe('calls from the gateway in progress'),
  callsPerSec: z.number().describe('calls from the gateway per second over the last 30 s'),
  nodeId: z.string(),
  updatedAt: isoTime,
  registration: registrationSummary.nullable().describe('a dynamic gateway\'s freshest live registration; null when none'),
})

/** Inferred types of the schemas above. */
export type GatewayStatusCreate = z.infer<typeof gatewayStatusCreate>
export type GatewayStatus = z.infer<typeof gatewayStatus>
export type RoutingGatewayStatusItem = z.infer<typeof routingGatewayStatusItem>
export type MappingGatewayStatusItem = z.infer<typeof mappingGatewayStatusItem>

/** Maps a `gateway_status` row to the public JSON shape. */
export function gatewayStatusFromRow(row: GatewayStatusRow): GatewayStatus {
  const { lastCheckAtMs, updatedAtMs, ...rest } = row
  return { ...rest, lastCheckAt: isoFromMsOrNull(lastCheckAtMs), updatedAt: isoFromMs(updatedAtMs) }
}

/** Maps a routing-kind `gateway_status` row to the GET /v1/status/gateways item. */
export function routingGatewayStatusFromRow(row: GatewayStatusRow, registration: RegistrationSummary | null = null): RoutingGatewayStatusItem {
  return {
    registration,
    routingGatewayId: row.gatewayId,
    online: row.online,
    lastCheckAt: isoFromMsOrNull(row.lastCheckAtMs),
    rttMs: row.rttMs,
    currentCalls: row.currentCalls,
    callsPerSec: row.callsPerSec,
    lossRatio: row.lossRatio,
    lastCode: row.lastCode,
    updatedAt: isoFromMs(row.updatedAtMs),
  }
}

/** Builds the upsert row for a validated status record. */
export function gatewayStatusToRow(input: GatewayStatusCreate): GatewayStatusRow {
  return { ...input }
}

/** Maps a mapping-kind `gateway_status` row to the GET /v1/status/mapping-gateways item. */
export function mappingGatewayStatusFromRow(row: GatewayStatusRow, registration: RegistrationSummary | null = null): MappingGatewayStatusItem {
  return { mappingGatewayId: row.gatewayId, currentCalls: row.currentCalls, callsPerSec: row.callsPerSec, nodeId: row.nodeId, updatedAt: isoFromMs(row.updatedAtMs), registration }
}

/**
 * One row per (kind, gateway) from the rows every core node publishes for itself: current calls and calls per second
 * summed over nodes, online when any node reaches the gateway, the OPTIONS facts (check time, RTT, loss, last code)
 * of the freshest check, and the node and time of the freshest publish. Rows of nodes in `stale` (nodes that stopped
 * publishing) are left out. Order follows the first row of each gateway.
 */
export function sumGatewayStatus(rows: readonly GatewayStatusRow[], stale: ReadonlySet<string> = new Set()): GatewayStatusRow[] {
  const out = new Map<string, GatewayStatusRow>()
  for (const r of rows) {
    if (stale.has(r.nodeId)) continue
    const key = r.kind + ' ' + r.gatewayId
    const seen = out.get(key)
    if (seen === undefined) {
      out.set(key, { ...r })
      continue
    }
    seen.currentCalls += r.currentCalls
    seen.callsPerSec += r.callsPerSec
    seen.online ||= r.online
    if ((r.lastCheckAtMs ?? -1) > (seen.lastCheckAtMs ?? -1)) {
      seen.lastCheckAtMs = r.lastCheckAtMs
      seen.rttMs = r.rttMs
      seen.lossRatio = r.lossRatio
      seen.lastCode = r.lastCode
    }
    if (r.updatedAtMs > seen.updatedAtMs) {
      seen.updatedAtMs = r.updatedAtMs
      seen.nodeId = r.nodeId
    }
  }
  return [...out.values()]
}
