// Zod schemas, types and row mapping for mapping (ingress) gateways; the password is write-only and stored as HA1 hashes.
import { z } from 'zod'
import { computeHa1 } from '../auth/digest-hash.js'
import type { mappingGateways } from '../db/tables/mapping-gateways.js'
import { AUTH_MODES } from './enums.js'
import { cpsBurst, cpsLimit, entityId, entityName, ipAddress, isoFromMs, isoTime, lineLimit, lockType, port, uniqueItems } from './fields.js'
import { dialPlan } from './number-rules.js'

/** Row shapes of the `mapping_gateways` table. */
export type MappingGatewayRow = typeof mappingGateways.$inferSelect
export type MappingGatewayInsert = typeof mappingGateways.$inferInsert

/** SIP digest username: no whitespace, quotes, backslashes or colons (a colon would make HA1 ambiguous). */
export const digestUsername = z.string().min(1).max(64).regex(/^[^\s:"\\]+$/, 'no whitespace, colon, quote or backslash')

const fields = {
  name: entityName,
  accountId: entityId.describe('customer account billed for this gateway'),
  authMode: z.enum(AUTH_MODES).describe('ip: source IP; ip_port: source IP and port; password: SIP digest'),
  ips: z
    .array(ipAddress)
    .max(64)
    .refine(uniqueItems, 'ips must be unique')
    .describe('source addresses; required for ip and ip_port'),
  port: port.describe('source port; required for ip_port'),
  username: digestUsername.describe('digest username; required for password'),
  password: z.string().min(1).max(128).describe('write-only; stored as digest HA1 hashes'),
  lineLimit,
  cpsLimit: cpsLimit.describe('new calls per second from this gateway; the excess gets 503 CpsLimitExceeded; 0 = no limit'),
  cpsBurst,
  lockType,
  mediaProxy: z.boolean().describe('relay RTP through the core'),
  calleeRules: dialPlan.describe('ingress dial plan for the callee, before rating and routing (strip a trunk prefix, normalise to E.164, reject patterns)'),
  callerRules: dialPlan.describe('ingress dial plan for the caller'),
  allowLossRoutes: z.boolean().describe('the margin guard never skips a vendor for this customer gateway\'s calls'),
  dynamic: z.boolean().describe('registers (REGISTER with its digest credentials, authMode password) and its calls are accepted from its registered address without a challenge'),
}

/** The facts that decide whether a mapping gateway can authenticate at all. */
export interface MappingGatewayAuthState {
  authMode: (typeof AUTH_MODES)[number]
  ips: readonly string[]
  port?: number | null | undefined
  username?: string | null | undefined
  hasPassword: boolean
  dynamic?: boolean | undefined
}

/** Lists what is missing for the gateway's auth mode (empty when it can authenticate); used on create and after a PATCH merge. */
export function mappingGatewayAuthIssues(s: MappingGatewayAuthState): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = []
  if ((s.authMode === 'ip' || s.authMode === 'ip_port') && s.ips.length === 0) {
    issues.push({ path: 'ips', message: `authMode ${s.authMode} requires at least one ip` })
  }
  if (s.authMode === 'ip_port' && (s.port === null || s.port === undefined)) {
    issues.push({ path: 'port', message: 'authMode ip_port requires port' })
  }
  if (s.authMode === 'password') {
    if (!s.username) issues.push({ path: 'username', message: 'authMode password requires username' })
    if (!s.hasPassword) issues.push({ path: 'password', message: 'authMode password requires password' })
  }
  if (s.dynamic === true && s.authMode !== 'password') {
    issues.push({ path: 'authMode', message: 'a dynamic gateway registers with digest credentials: authMode password' })
  }
  return issues
}

/** POST /v1/mapping-gateways body. */
export const mappingGatewayCreate = z
  .strictObject({
    ...fields,
    ips: fields.ips.default([]),
    port: fields.port.optional(),
    username: fields.username.optional(),
    password: fields.password.optional(),
    lineLimit: fields.lineLimit.default(0),
    cpsLimit: fields.cpsLimit.default(0),
    cpsBurst: fields.cpsBurst.default(0),
    lockType: fields.lockType.default('none'),
    mediaProxy: fields.mediaProxy.default(false),
    calleeRules: fields.calleeRules.default([]),
    callerRules: fields.callerRules.default([]),
    allowLossRoutes: fields.allowLossRoutes.default(false),
    dynamic: fields.dynamic.default(false),
  })
  .superRefine((body, ctx) => {
    const state = { ...body, hasPassword: body.password !== undefined }
    for (const i of mappingGatewayAuthIssues(state)) ctx.addIssue({ code: 'custom', path: [i.path], message: i.message })
  })

/** PATCH body; `port`/`username` accept null to clear; changing `username` requires `password` (HA1 covers it). */
export const mappingGatewayUpdate = z
  .strictObject({ ...fields, port: fields.port.nullable(), username: fields.username.nullable() })
  .partial()
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'at least one field is required' })
  .refine((b) => b.username === undefined || b.username === null || b.password !== undefined, {
    message: 'password is required when username changes (the stored hashes include the username)',
    path: ['password'],
  })

/** Public JSON shape of a mapping gateway (no password, no hashes). */
export const mappingGateway = z.object({
  id: entityId,
  name: fields.name,
  accountId: fields.accountId,
  authMode: fields.authMode,
  ips: fields.ips,
  port: fields.port.optional(),
  username: fields.username.optional(),
  lineLimit,
  cpsLimit: fields.cpsLimit,
  cpsBurst,
  lockType,
  mediaProxy: fields.mediaProxy,
  calleeRules: fields.calleeRules,
  callerRules: fields.callerRules,
  allowLossRoutes: fields.allowLossRoutes,
  dynamic: fields.dynamic,
  createdAt: isoTime,
  updatedAt: isoTime,
})

/** Inferred types of the schemas above. */
export type MappingGatewayCreate = z.infer<typeof mappingGatewayCreate>
export type MappingGatewayUpdate = z.infer<typeof mappingGatewayUpdate>
export type MappingGateway = z.infer<typeof mappingGateway>

/** The digest columns for a username/password pair under a realm (RFC 7616 §3.4.2, both algorithms); routing gateways use them too. */
export function mappingGatewayDigestColumns(username: string, realm: string, password: string) {
  return {
    digestRealm: realm,
    ha1Md5: computeHa1('MD5', username, realm, password),
    ha1Sha256: computeHa1('SHA-256', username, realm, password),
  }
}

/** Digest columns of a gateway without a password. */
export const NO_DIGEST = { digestRealm: null, ha1Md5: null, ha1Sha256: null }

/** Maps a `mapping_gateways` row to the public JSON shape; optional fields are omitted when null. */
export function mappingGatewayFromRow(row: MappingGatewayRow): MappingGateway {
  return {
    id: row.id,
    name: row.name,
    accountId: row.accountId,
    authMode: row.authMode,
    ips: row.ips,
    ...(row.port === null ? {} : { port: row.port }),
    ...(row.username === null ? {} : { username: row.username }),
    lineLimit: row.lineLimit,
    cpsLimit: row.cpsLimit,
    cpsBurst: row.cpsBurst,
    lockType: row.lockType,
    mediaProxy: row.mediaProxy,
    calleeRules: row.calleeRules,
    callerRules: row.callerRules,
    allowLossRoutes: row.allowLossRoutes,
    dynamic: row.dynamic,
    createdAt: isoFromMs(row.createdAtMs),
    updatedAt: isoFromMs(row.updatedAtMs),
  }
}

/** Builds the insert row for a validated create body; `realm` is SS_AUTH_REALM at write time. */
export function mappingGatewayToRow(
  input: MappingGatewayCreate,
  ctx: { id: string; nowMs: number; realm: string },
): MappingGatewayRow {
  const { password, ...rest } = input
  const digest =
    password !== undefined && input.username !== undefined
      ? mappingGatewayDigestColumns(input.username, ctx.realm, password)
      : NO_DIGEST
  return {
    id: ctx.id,
    ...rest,
    port: input.port ?? null,
    username: input.username ?? null,
    ...digest,
    createdAtMs: ctx.nowMs,
    updatedAtMs: ctx.nowMs,
  }
}

/** Result of applying a PATCH to a stored mapping gateway. */
export type MappingGatewayMerge =
  | { ok: true; set: Partial<MappingGatewayInsert>; row: MappingGatewayRow }
  | { ok: false; issues: { path: string; message: string }[] }

/** Applies a validated PATCH to the current row: rehashes a new password, clears hashes when username is cleared, checks auth. */
export function mergeMappingGatewayUpdate(
  current: MappingGatewayRow,
  input: MappingGatewayUpdate,
  ctx: { nowMs: number; realm: string },
): MappingGatewayMerge {
  const { password, ...rest } = input
  const set: Partial<MappingGatewayInsert> = { ...rest, updatedAtMs: ctx.nowMs }
  const username = input.username === undefined ? current.username : input.username
  if (password !== undefined) {
    if (username === null) return { ok: false, issues: [{ path: 'username', message: 'a password needs a username' }] }
    Object.assign(set, mappingGatewayDigestColumns(username, ctx.realm, password))
  } else if (input.username === null) {
    Object.assign(set, NO_DIGEST)
  }
  const row = { ...current, ...set } as MappingGatewayRow
  const issues = mappingGatewayAuthIssues({ ...row, hasPassword: row.ha1Md5 !== null })
  return issues.length > 0 ? { ok: false, issues } : { ok: true, set, row }
}
