// Zod schemas, types and row mapping for the IP access lists (docs/api.md /v1/blacklist and /v1/whitelist).
import { z } from 'zod'
import type { ipAccessList } from '../db/tables/ip-access-list.js'
import { parseCidr } from '../net/address.js'
import { ACCESS_ORIGINS, ACCESS_REASONS } from './enums.js'
import { entityId, isoFromMs, isoFromMsOrNull, isoTime } from './fields.js'

/** Row shapes of the `ip_access_list` table. */
export type AccessListRow = typeof ipAccessList.$inferSelect
export type AccessListInsert = typeof ipAccessList.$inferInsert

/** An IPv4/IPv6 address or CIDR block as the operator writes it; stored canonical (`198.51.100.0/24`, `203.0.113.7/32`). */
export const cidrBlock = z
  .string()
  .max(64)
  .refine((s) => parseCidr(s) !== null, 'an IPv4 or IPv6 address or CIDR block, e.g. 203.0.113.7 or 198.51.100.0/24')
  .describe('IPv4/IPv6 address or CIDR block')

const note = z.string().trim().max(500).describe('why the entry is there')

/** POST /v1/blacklist body: permanent unless `durationSec` or `expiresAt` says when it ends. */
export const blacklistCreate = z
  .strictObject({
    cidr: cidrBlock,
    note: note.optional(),
    durationSec: z.number().int().min(1).max(10 * 365 * 86_400).optional().describe('ends this many seconds from now'),
    expiresAt: isoTime.optional().describe('ends at this time'),
  })
  .refine((b) => b.durationSec === undefined || b.expiresAt === undefined, { message: 'give durationSec or expiresAt, not both', path: ['expiresAt'] })

/** POST /v1/whitelist body. */
export const whitelistCreate = z.strictObject({ cidr: cidrBlock, note: note.optional() })

/** Public JSON shape of a blacklist entry (an operator's or a core's automatic ban). */
export const blacklistEntry = z.object({
  id: entityId,
  cidr: z.string().describe('canonical CIDR block'),
  reason: z.enum(ACCESS_REASONS).describe('manual, auth_failures (failed digests and unanswered challenges) or request_flood'),
  origin: z.enum(ACCESS_ORIGINS).describe('operator (API) or core (automatic ban)'),
  note: z.string().nullable(),
  count: z.number().int().describe('times the source was banned automatically; a repeat ban lasts twice as long'),
  expiresAt: isoTime.nullable().describe('end of the ban; null = permanent'),
  active: z.boolean().describe('false once expiresAt has passed (kept so a repeat offence escalates)'),
  nodeId: z.string().nullable().describe('core that made the last automatic ban'),
  createdAt: isoTime,
  updatedAt: isoTime,
})

/** Public JSON shape of a whitelist entry. */
export const whitelistEntry = z.object({ id: entityId, cidr: z.string().describe('canonical CIDR block'), note: z.string().nullable(), createdAt: isoTime, updatedAt: isoTime })

/** Inferred types of the schemas above. */
export type BlacklistCreate = z.infer<typeof blacklistCreate>
export type WhitelistCreate = z.infer<typeof whitelistCreate>
export type BlacklistEntry = z.infer<typeof blacklistEntry>
export type WhitelistEntry = z.infer<typeof whitelistEntry>

/** True while a blacklist row bans: permanent, or not yet expired. */
export function accessEntryActive(row: Pick<AccessListRow, 'expiresAtMs'>, nowMs: number): boolean {
  return row.expiresAtMs === null || row.expiresAtMs > nowMs
}

/** Maps a blacklist row to the public JSON shape. */
export function blacklistEntryFromRow(row: AccessListRow, nowMs: number): BlacklistEntry {
  return {
    id: row.id, cidr: row.cidr, reason: row.reason, origin: row.origin, note: row.note, count: row.offences,
    expiresAt: isoFromMsOrNull(row.expiresAtMs), active: accessEntryActive(row, nowMs), nodeId: row.nodeId,
    createdAt: isoFromMs(row.createdAtMs), updatedAt: isoFromMs(row.updatedAtMs),
  }
}

/** Maps a whitelist row to the public JSON shape. */
export function whitelistEntryFromRow(row: AccessListRow): WhitelistEntry {
  return { id: row.id, cidr: row.cidr, note: row.note, createdAt: isoFromMs(row.createdAtMs), updatedAt: isoFromMs(row.updatedAtMs) }
}

/** The insert row of an operator's blacklist entry (the body already validated). */
export function blacklistToRow(input: BlacklistCreate, ctx: { id: string; nowMs: number }): AccessListRow {
  const expiresAtMs = input.durationSec !== undefined ? ctx.nowMs + input.durationSec * 1000 : input.expiresAt !== undefined ? Date.parse(input.expiresAt) : null
  return {
    id: ctx.id, list: 'blacklist', cidr: parseCidr(input.cidr)!.text, reason: 'manual', origin: 'operator', note: input.note ?? null,
    offences: 0, expiresAtMs, nodeId: null, createdAtMs: ctx.nowMs, updatedAtMs: ctx.nowMs,
  }
}

/** The insert row of a whitelist entry. */
export function whitelistToRow(input: WhitelistCreate, ctx: { id: string; nowMs: number }): AccessListRow {
  return {
    id: ctx.id, list: 'whitelist', cidr: parseCidr(input.cidr)!.text, reason: 'manual', origin: 'operator', note: input.note ?? null,
    offences: 0, expiresAtMs: null, nodeId: null, createdAtMs: ctx.nowMs, updatedAtMs: ctx.nowMs,
  }
}
