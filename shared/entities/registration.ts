// Zod schemas, types and row mapping for registrar bindings (docs/api.md GET /v1/registrations): where a dynamic gateway registered, until when.
import { z } from 'zod'
import type { registrations } from '../db/tables/registrations.js'
import { GATEWAY_KINDS, SIP_TRANSPORTS } from './enums.js'
import { entityId, ipAddress, isoFromMs, isoTime, port } from './fields.js'

/** Row shapes of the `registrations` table. */
export type RegistrationRow = typeof registrations.$inferSelect
export type RegistrationInsert = typeof registrations.$inferInsert

/** Public JSON shape of one binding. */
export const registration = z.object({
  id: z.string(),
  kind: z.enum(GATEWAY_KINDS),
  gatewayId: entityId,
  aor: z.string().describe('address of record: the To URI of the REGISTER'),
  contact: z.string().describe('the registered Contact URI'),
  q: z.number().min(0).max(1).nullable().describe('Contact q (preference); null when not given'),
  expiresAt: isoTime,
  callId: z.string(),
  cseq: z.number().int(),
  userAgent: z.string().nullable().describe('User-Agent of the REGISTER'),
  sourceIp: ipAddress.describe('where the REGISTER came from (calls to the gateway go there: the NAT binding)'),
  sourcePort: port,
  transport: z.enum(SIP_TRANSPORTS),
  nodeId: z.string().describe('core node that took the REGISTER'),
  registeredAt: isoTime.describe('first REGISTER of this contact'),
  updatedAt: isoTime.describe('last refresh'),
})

/** What the status endpoints show of a gateway's registration (its freshest binding). */
export const registrationSummary = z.object({
  contact: z.string(),
  userAgent: z.string().nullable(),
  expiresAt: isoTime,
  source: z.string().describe('ip:port the gateway registered from'),
  transport: z.enum(SIP_TRANSPORTS),
})

/** Inferred types of the schemas above. */
export type Registration = z.infer<typeof registration>
export type RegistrationSummary = z.infer<typeof registrationSummary>

/** Maps a `registrations` row to the public JSON shape. */
export function registrationFromRow(row: RegistrationRow): Registration {
  const { expiresAtMs, registeredAtMs, updatedAtMs, ...rest } = row
  return { ...rest, expiresAt: isoFromMs(expiresAtMs), registeredAt: isoFromMs(registeredAtMs), updatedAt: isoFromMs(updatedAtMs) }
}

/** The status view of a row. */
export function registrationSummaryFromRow(row: RegistrationRow): RegistrationSummary {
  const host = row.sourceIp.includes(':') ? `[${row.sourceIp}]` : row.sourceIp
  return { contact: row.contact, userAgent: row.userAgent, expiresAt: isoFromMs(row.expiresAtMs), source: `${host}:${row.sourcePort}`, transport: row.transport }
}
