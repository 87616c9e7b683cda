// Reusable zod field schemas (ids, names, addresses, prefixes, times, money) and the JSON value shapes stored in text columns.
import { z } from 'zod'
import { TERMINATION_REASONS } from '../termination/reasons.js'
import { LOCK_TYPES, SIP_TRANSPORTS } from './enums.js'

/** Entity id: opaque non-empty string assigned by the server. */
export const entityId = z.string().min(1).max(128).describe('opaque id')

/** Display name, unique per resource (duplicates are 409). */
export const entityName = z.string().trim().min(1).max(100).describe('unique display name')

/** An IPv4 or IPv6 address (no CIDR, no port). */
export const ipAddress = z.union([z.ipv4(), z.ipv6()]).describe('IPv4 or IPv6 address')

/** A UDP/TCP port number. */
export const port = z.number().int().min(1).max(65535).describe('port 1..65535')

/** A DNS hostname whose last label is not all digits (RFC 3696 §2), so a mistyped IPv4 like 192.0.2.256 is refused. */
const dnsName = z.hostname().refine((h) => !/(^|\.)\d+\.?$/.test(h), 'not a valid IP address or hostname')

/** A hostname or an IP address of a SIP peer. */
export const host = z.union([z.ipv4(), z.ipv6(), dnsName]).describe('hostname, IPv4 or IPv6 address')

/** A dialled-number prefix: digits and * # + only. */
export const numberPrefix = z.string().regex(/^[0-9*#+]+$/, 'digits, *, # and + only').max(32).describe('number prefix')

/** A line limit: non-negative integer, 0 = unlimited. */
export const lineLimit = z.number().int().min(0).max(1_000_000).describe('concurrent calls; 0 = unlimited')

/** Calls per second admitted (a token bucket's refill rate); 0 = no limit. */
export const cpsLimit = z.number().min(0).max(100_000).describe('calls per second admitted; 0 = no limit')

/** Calls admitted at once above the rate (the bucket's size); 0 = one second's worth, ceil(cpsLimit). */
export const cpsBurst = z.number().int().min(0).max(1_000_000).describe('calls admitted at once above the rate; 0 = ceil(cpsLimit)')

/** A money amount (decimal number, finite). */
export const money = z.number().min(-1e12).max(1e12).describe('decimal money amount')

/** A SIP final failure status code (3xx-6xx). */
export const sipFailureCode = z.number().int().min(300).max(699).describe('SIP status 300..699')

/** A SIP status code as recorded in CDRs (100..699). */
export const sipStatusCode = z.number().int().min(100).max(699).describe('SIP status 100..699')

/** Wall-clock time of day "HH:MM" (00:00..23:59, and 24:00 as an end of day). */
export const timeOfDay = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM, 00:00..24:00').describe('HH:MM')

/** An ISO-8601 timestamp as returned by the API. */
export const isoTime = z.iso.datetime({ offset: true }).describe('ISO-8601 time')

/** Resource lock: `bar_all` takes the gateway out of service. */
export const lockType = z.enum(LOCK_TYPES).describe('none | bar_all (out of service)')

/** Number rewrite applied before the INVITE is sent: strip N leading digits, then prepend `add`. */
export const rewrite = z.strictObject({
  strip: z.number().int().min(0).max(32).describe('leading characters to remove'),
  add: z.union([z.literal(''), numberPrefix]).describe('prefix to prepend after stripping'),
})
/** Number rewrite stored as JSON. */
export type Rewrite = z.infer<typeof rewrite>

/** Allow or forbid list of mapping gateways for a routing gateway. */
export const mappingGatewayRule = z.strictObject({
  mode: z.enum(['allow', 'forbid']).describe('allow: only these mapping gateways; forbid: all but these'),
  ids: z.array(entityId).max(1000).describe('mapping gateway ids'),
})
/** Mapping-gateway allow/forbid rule stored as JSON. */
export type MappingGatewayRule = z.infer<typeof mappingGatewayRule>

/** Lines of a gateway group kept free for one mapping gateway. */
export const reservedLine = z.strictObject({
  mappingGatewayId: entityId,
  lines: z.number().int().min(1).max(1_000_000).describe('lines reserved'),
})
/** Reserved lines entry stored as JSON. */
export type ReservedLine = z.infer<typeof reservedLine>

/** A weekly work window; `from` inclusive, `to` exclusive, `from` > `to` wraps past midnight. */
export const calendarWindow = z
  .strictObject({
    days: z.array(z.number().int().min(0).max(6)).min(1).max(7).describe('weekdays, 0 = Sunday'),
    from: timeOfDay,
    to: timeOfDay,
  })
  .refine((w) => w.from !== w.to, { message: 'from and to must differ', path: ['to'] })
  .refine((w) => new Set(w.days).size === w.days.length, { message: 'days must be unique', path: ['days'] })
/** Work calendar window stored as JSON. */
export type CalendarWindow = z.infer<typeof calendarWindow>

/** One routing attempt as stored in the CDR row (epoch ms). */
export interface CdrAttemptRow {
  routingGatewayId: string
  sipCode: number | null
  reason: (typeof TERMINATION_REASONS)[number]
  startedAtMs: number
  endedAtMs: number
  /** Routing prefix the gateway matched (absent in CDRs written before quality routing). */
  matchedPrefix?: string
  /** Attempt start to its first 18x or answer, ms; null = neither came. */
  pddMs?: number | null
  /** Transport the attempt's INVITE went out on (absent in records older than TCP/TLS support). */
  transport?: (typeof SIP_TRANSPORTS)[number]
}

/** True when no value appears twice in the array. */
export function uniqueItems<T>(items: readonly T[]): boolean {
  return new Set(items).size === items.length
}

/** Epoch ms to the API's ISO-8601 string. */
export function isoFromMs(ms: number): string {
  return new Date(ms).toISOString()
}

/** Epoch ms (or null) to ISO-8601 (or null). */
export function isoFromMsOrNull(ms: number | null): string | null {
  return ms === null ? null : isoFromMs(ms)
}

/** PATCH body over the given fields: every field optional, unknown keys rejected, at least one field present. */
export function patchSchema<S extends z.ZodRawShape>(shape: S) {
  return z
    .strictObject(shape)
    .partial()
    .refine((body) => Object.values(body).some((v) => v !== undefined), { message: 'at least one field is required' })
}

/** What an alert rule watches: every call, one gateway or account by id, or the calls to a callee prefix. */
export const alertScope = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.enum(['routingGateway', 'mappingGateway', 'account']), id: entityId }),
  z.strictObject({ kind: z.literal('prefix'), prefix: numberPrefix }),
])
/** Alert scope stored as JSON (the `alert_rules.scope` column). */
export type AlertScope = z.infer<typeof alertScope>
