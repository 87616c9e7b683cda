// Zod schemas, types and row mapping for operator API keys; the secret is returned once and stored as SHA-256 hex.
import { z } from 'zod'
import { sha256Hex } from '../auth/digest-hash.js'
import type { apiKeys } from '../db/tables/api-keys.js'
import { API_KEY_ROLES } from './enums.js'
import { entityId, entityName, isoFromMs, isoTime, patchSchema } from './fields.js'

/** Row shapes of the `api_keys` table. */
export type ApiKeyRow = typeof apiKeys.$inferSelect
export type ApiKeyInsert = typeof apiKeys.$inferInsert

/** How many leading characters of a secret are kept for display. */
export const API_KEY_PREFIX_LENGTH = 8

const fields = {
  name: entityName,
  role: z.enum(API_KEY_ROLES).describe('admin: everything; viewer: GET only'),
}

/** POST /v1/api-keys body. */
export const apiKeyCreate = z.strictObject({ ...fields, role: fields.role.default('viewer') })

/** PATCH /v1/api-keys/{id} body. */
export const apiKeyUpdate = patchSchema(fields)

/** Public JSON shape of an API key (never the secret or its hash). */
export const apiKey = z.object({
  id: entityId,
  ...fields,
  secretPrefix: z.string().describe('first characters of the secret, to recognise it'),
  createdAt: isoTime,
})

/** POST /v1/api-keys response: the key plus its secret, shown this once. */
export const apiKeyCreated = apiKey.extend({ secret: z.string().describe('bearer secret; shown only once') })

/** Inferred types of the schemas above. */
export type ApiKeyCreate = z.infer<typeof apiKeyCreate>
export type ApiKeyUpdate = z.infer<typeof apiKeyUpdate>
export type ApiKey = z.infer<typeof apiKey>
export type ApiKeyCreated = z.infer<typeof apiKeyCreated>

/** SHA-256 hex of a presented secret, the value looked up in `api_keys.secret_hash`. */
export function hashApiKeySecret(secret: string): string {
  return sha256Hex(secret)
}

/** Maps an `api_keys` row to the public JSON shape. */
export function apiKeyFromRow(row: ApiKeyRow): ApiKey {
  return { id: row.id, name: row.name, role: row.role, secretPrefix: row.secretPrefix, createdAt: isoFromMs(row.createdAtMs) }
}

/** Builds the insert row; the caller generates `secret` with a CSPRNG and returns it to the client once. */
export function apiKeyToRow(input: ApiKeyCreate, ctx: { id: string; nowMs: number; secret: string }): ApiKeyRow {
  return {
    id: ctx.id,
    ...input,
    secretHash: hashApiKeySecret(ctx.secret),
    secretPrefix: ctx.secret.slice(0, API_KEY_PREFIX_LENGTH),
    createdAtMs: ctx.nowMs,
  }
}

/** Builds the update set for a validated PATCH body. */
export function apiKeyUpdateToRow(input: ApiKeyUpdate): Partial<ApiKeyInsert> {
  return { ...input }
}
