// Zod schemas and row mapping for the audit trail (GET /v1/audit) and the redaction applied before anything is stored.
import { z } from 'zod'
import type { auditLog } from '../db/tables/audit-log.js'
import { entityId, isoFromMs, isoTime } from './fields.js'

/** Row shapes of the `audit_log` table. */
export type AuditRow = typeof auditLog.$inferSelect

/** What a redacted value is replaced by. */
export const REDACTED = '[redacted]'

/** Field names whose values never reach the audit trail (secrets, passwords, their hashes, tokens). */
const SECRET_FIELD = /secret|password|token|ha1|hash|apikey/i

/** A deep copy of `value` with every secret-looking field replaced by REDACTED (strings, numbers and arrays kept). */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) && v !== null && v !== undefined ? REDACTED : redactSecrets(v)
  return out
}

/** Public JSON shape of one audit entry. */
export const auditEntry = z.object({
  id: entityId,
  at: isoTime,
  keyId: entityId.describe('API key that made the change'),
  keyName: z.string().describe('its name when the change was made'),
  method: z.string(),
  path: z.string().describe('request path'),
  operation: z.string().describe('OpenAPI operationId, e.g. updateRoutingGateway'),
  resource: z.string().describe('collection under /v1, e.g. routing-gateways'),
  resourceId: z.string().nullable(),
  action: z.string().describe('create, update, delete, import, hangup, login, logout ...'),
  before: z.unknown().nullable().describe('the resource before the change (secrets redacted)'),
  after: z.unknown().nullable().describe('the resource after the change (secrets redacted)'),
  requestId: z.string().nullable(),
})
/** Inferred type. */
export type AuditEntry = z.infer<typeof auditEntry>

/** Maps an `audit_log` row to the public shape. */
export function auditEntryFromRow(r: AuditRow): AuditEntry {
  const { atMs, ...rest } = r
  return { ...rest, at: isoFromMs(atMs), before: r.before ?? null, after: r.after ?? null }
}
