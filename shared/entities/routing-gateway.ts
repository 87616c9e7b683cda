// Zod schemas, types and row mapping for routing (egress, vendor) gateways (docs/api.md /v1/routing-gateways).
import { z } from 'zod'
import type { routingGateways } from '../db/tables/routing-gateways.js'
import { PREFIX_MODES, SIP_TRANSPORTS } from './enums.js'
import { digestUsername, mappingGatewayDigestColumns, NO_DIGEST } from './mapping-gateway.js'
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
  dynamic: z.boolean().describe('registers with the core (REGISTER with username/password) and is reached at its registered address; host and port are then not used'),
  username: digestUsername.describe('digest username the gateway registers with; required when dynamic'),
  password: z.string().min(1).max(128).describe('write-only; stored as digest HA1 hashes; required when dynamic'),
}

const NO_REWRITE = { strip: 0, add: '' }

/** POST /v1/routing-gateways body. */
export const routingGatewayCreate = z.strictObject({
  ...fields,
  host: fields.host.optional(),
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
  dynamic: fields.dynamic.default(false),
  username: fields.username.optional(),
  password: fields.password.optional(),
}).superRefine((body, ctx) => {
  for (const i of routingGatewayIssues({ ...body, host: body.host ?? '', hasPassword: body.password !== undefined })) ctx.addIssue({ code: 'custom', path: [i.path], message: i.message })
})

/** PATCH /v1/routing-gateways/{id} body; `username` accepts null to clear. */
export const routingGatewayUpdate = patchSchema({ ...fields, username: fields.username.nullable() })

/** Public JSON shape of a routing gateway (no password, no hashes; host is empty for a dynamic gateway without one). */
const { password: _password, ...publicFields } = fields
export const routingGateway = z.object({
  id: entityId,
  ...publicFields,
  host: fields.host.or(z.literal('')),
  username: fields.username.optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
})

/** What must hold for a routing gateway to be reachable: a host when static, credentials when dynamic. */
export function routingGatewayIssues(s: { dynamic: boolean; host: string; username?: string | null | undefined; hasPassword: boolean }): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = []
  if (!s.dynamic && s.host === '') issues.push({ path: 'host', message: 'a static gateway needs a host' })
  if (s.dynamic && !s.username) issues.push({ path: 'username', message: 'a dynamic gateway registers: username required' })
  if (s.dynamic && !s.hasPassword) issues.push({ path: 'password', message: 'a dynamic gateway registers: password required' })
  if (s.username && !s.hasPassword) issues.push({ path: 'password', message: 'a username needs a password' })
  return issues
}

/** Inferred types of the schemas above. */
export type RoutingGatewayCreate = z.infer<typeof routingGatewayCreate>
export type RoutingGatewayUpdate = z.infer<typeof routingGatewayUpdate>
export type RoutingGateway = z.infer<typeof routingGateway>

/** Maps a `routing_gateways` row to the public JSON shape; the username is omitted when null. */
export function routingGatewayFromRow(row: RoutingGatewayRow): RoutingGateway {
  const { createdAtMs, updatedAtMs, username, digestRealm: _r, ha1Md5: _m, ha1Sha256: _s, ...rest } = row
  return { ...rest, ...(username === null ? {} : { username }), createdAt: isoFromMs(createdAtMs), updatedAt: isoFromMs(updatedAtMs) }
}

/** Builds the insert row for a validated create body; `realm` (SS_AUTH_REALM at write time) hashes a password. */
export function routingGatewayToRow(input: RoutingGatewayCreate, ctx: { id: string; nowMs: number; realm?: string }): RoutingGatewayRow {
  const { password, host, username, ...rest } = input
  if (password !== undefined && (username === undefined || ctx.realm === undefined)) throw new Error('a routing gateway password needs a username and the realm')
  const digest = password === undefined ? NO_DIGEST : mappingGatewayDigestColumns(username!, ctx.realm!, password)
  return { id: ctx.id, ...rest, host: host ?? '', username: username ?? null, ...digest, createdAtMs: ctx.nowMs, updatedAtMs: ctx.nowMs }
}

/** Result of applying a PATCH to a stored routing gateway. */
export type RoutingGatewayMerge =
  | { ok: true; set: Partial<RoutingGatewayInsert> }
  | { ok: false; issues: { path: string; message: string }[] }

/** Applies a validated PATCH to the current row: rehashes a new password, clears hashes with the username, checks reachability. */
export function mergeRoutingGatewayUpdate(current: RoutingGatewayRow, input: RoutingGatewayUpdate, ctx: { nowMs: number; realm: string }): RoutingGatewayMerge {
  const { password, ...rest } = input
  const set: Partial<RoutingGatewayInsert> = { ...rest, updatedAtMs: ctx.nowMs }
  const username = input.username === undefined ? current.username : input.username
  if (password !== undefined) {
    if (username === null) return { ok: false, issues: [{ path: 'username', message: 'a password needs a username' }] }
    Object.assign(set, mappingGatewayDigestColumns(username, ctx.realm, password))
  } else if (input.username === null) Object.assign(set, NO_DIGEST)
  else if (input.username !== undefined && input.username !== current.username) {
    return { ok: false, issues: [{ path: 'password', message: 'password is required when username changes (the stored hashes include the username)' }] }
  }
  const row = { ...current, ...set } as RoutingGatewayRow
  const issues = routingGatewayIssues({ ...row, hasPassword: row.ha1Md5 !== null })
  return issues.length > 0 ? { ok: false, issues } : { ok: true, set }
}
