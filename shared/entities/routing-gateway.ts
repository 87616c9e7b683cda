// Zod schemas, types and row mapping for routing (egress, vendor) gateways (docs/api.md /v1/routing-gateways).
import { z } from 'zod'
import type { routingGateways } from '../db/tables/routing-gateways.js'
import { PREFIX_MODES, SIP_TRANSPORTS } from './enums.js'
import { callerIdRule, DEFAULT_CALLER_ID, dialPlan } from './number-rules.js'
import {
  cpsBurst, cpsLimit, entityId, entityName, host, isoFromMs, isoTime, lineLimit, lockType, mappingGatewayRule, numberPrefix, patchSchema,
  port, rewrite, sipFailureCode, uniqueItems,
} from './fields.js'

/** Row shapes of the `routing_gateways` table. */
export type RoutingGatewayRow = typeof routingGateways.$inferSelect
export type RoutingGatewayInsert = typeof routingGateways.$inferInsert

const fields = {
  name: entityName,
  host: host.describe('vendor SIP host (hostname or IP)'),
  port: port.describe('vendor SIP port'),
  transport: z.enum(SIP_TRANSPORTS).describe('SIP transport'),
  prefixes: z
    .array(numberPrefix)
    .max(10_000)
    .refine(uniqueItems, 'prefixes must be unique')
    .describe('called-number prefixes; empty = matches every number'),
  prefixMode: z.enum(PREFIX_MODES).describe('extension: shorter matches are fallbacks; expiration: only the longest match'),
  priority: z.number().int().min(0).max(1_000_000).describe('lower is tried first; equal priorities share load'),
  lineLimit,
  cpsLimit: cpsLimit.describe('attempts per second sent to this gateway; over it the gateway is skipped, and a call with no other gateway gets 503 CpsLimitExceeded; 0 = no limit'),
  cpsBurst,
  lockType,
  switchUntilConnect: z.boolean().describe('fail over to the next gateway until one answers'),
  stopSwitchingCodes: z
    .array(sipFailureCode)
    .max(100)
    .refine(uniqueItems, 'codes must be unique')
    .describe('vendor codes that end failover and go to the caller'),
  protectRoute: z.boolean().describe('tried only after every normal route'),
  optionsCheck: z.boolean().describe('send OPTIONS every SS_SIP_OPTIONS_CHECK_PERIOD and skip the gateway when offline'),
  mappingGatewayRule: mappingGatewayRule.nullable().describe('allow/forbid list of mapping gateways; null = all allowed'),
  groupId: entityId.nullable().describe('gateway group (shared limit and calendar)'),
  clearingAccountId: entityId.nullable().describe('vendor clearing account'),
  calleeRewrite: rewrite.describe('callee rewrite before the INVITE is sent (runs before calleeRules)'),
  callerRewrite: rewrite.describe('caller rewrite before the INVITE is sent (runs before callerRules)'),
  calleeRules: dialPlan.describe('egress dial plan for the callee (after calleeRewrite): tech prefix, national format...; a reject rule skips this gateway for the number'),
  callerRules: dialPlan.describe('egress dial plan for the caller (after callerRewrite)'),
  callerId: callerIdRule.describe('how the calling number is presented: From, Privacy, P-Asserted-Identity'),
  allowLossRoutes: z.boolean().describe('the margin guard never skips this gateway, even when it costs more than the customer pays'),
  mediaProxy: z.boolean().describe('relay RTP through the core'),
}

const NO_REWRITE = { strip: 0, add: '' }

/** POST /v1/routing-gateways body. */
export const routingGatewayCreate = z.strictObject({
  ...fields,
  port: fields.port.default(5060),
  transport: fields.transport.default('udp'),
  prefixes: fields.prefixes.default([]),
  prefixMode: fields.prefixMode.default('extension'),
  priority: fields.priority.default(0),
  lineLimit: fields.lineLimit.default(0),
  cpsLimit: fields.cpsLimit.default(0),
  cpsBurst: fields.cpsBurst.default(0),
  lockType: fields.lockType.default('none'),
  switchUntilConnect: fields.switchUntilConnect.default(true),
  stopSwitchingCodes: fields.stopSwitchingCodes.default([]),
  protectRoute: fields.protectRoute.default(false),
  optionsCheck: fields.optionsCheck.default(false),
  mappingGatewayRule: fields.mappingGatewayRule.default(null),
  groupId: fields.groupId.default(null),
  clearingAccountId: fields.clearingAccountId.default(null),
  calleeRewrite: fields.calleeRewrite.default(NO_REWRITE),
  callerRewrite: fields.callerRewrite.default(NO_REWRITE),
  calleeRules: fields.calleeRules.default([]),
  callerRules: fields.callerRules.default([]),
  callerId: fields.callerId.default(DEFAULT_CALLER_ID),
  allowLossRoutes: fields.allowLossRoutes.default(false),
  mediaProxy: fields.mediaProxy.default(false),
})

/** PATCH /v1/routing-gateways/{id} body. */
export const routingGatewayUpdate = patchSchema(fields)

/** Public JSON shape of a routing gateway. */
export const routingGateway = z.object({ id: entityId, ...fields, createdAt: isoTime, updatedAt: isoTime })

/** Inferred types of the schemas above. */
export type RoutingGatewayCreate = z.infer<typeof routingGatewayCreate>
export type RoutingGatewayUpdate = z.infer<typeof routingGatewayUpdate>
export type RoutingGateway = z.infer<typeof routingGateway>

/** Maps a `routing_gateways` row to the public JSON shape. */
export function routingGatewayFromRow(row: RoutingGatewayRow): RoutingGateway {
  const { createdAtMs, updatedAtMs, ...rest } = row
  return { ...rest, createdAt: isoFromMs(createdAtMs), updatedAt: isoFromMs(updatedAtMs) }
}

/** Builds the insert row for a validated create body. */
export function routingGatewayToRow(input: RoutingGatewayCreate, ctx: { id: string; nowMs: number }): RoutingGatewayRow {
  return { id: ctx.id, ...input, createdAtMs: ctx.nowMs, updatedAtMs: ctx.nowMs }
}

/** Builds the update set for a validated PATCH body. */
export function routingGatewayUpdateToRow(input: RoutingGatewayUpdate, ctx: { nowMs: number }): Partial<RoutingGatewayInsert> {
  return { ...input, updatedAtMs: ctx.nowMs }
}
