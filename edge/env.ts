// Hono environment types for the edge app and the zod schema that validates the Worker's bindings.
import { z } from 'zod'
import type { ResultSet } from '@libsql/client'
import type { LibSQLDatabase } from 'drizzle-orm/libsql'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { API_KEY_ROLES } from '../shared/entities/enums.js'

/** Drizzle handle over any libSQL client (embedded file on Node, HTTP on Workers). */
export type Db = LibSQLDatabase

/** A database or an open transaction on it: what query helpers accept. */
export type Queryable = BaseSQLiteDatabase<'async', ResultSet>

/** One operator role: admin may do everything, viewer may only read. */
export type ApiRole = (typeof API_KEY_ROLES)[number]

/** The authenticated caller, set by the auth middleware. */
export interface Principal {
  keyId: string
  role: ApiRole
}

/** Per-request variables every handler may read. */
export interface Variables {
  requestId: string
  db: Db
  principal: Principal
}

/** The Hono env of the app; bindings are opaque here because Node has none and Workers validate theirs. */
export interface AppEnv {
  Bindings: Record<string, unknown>
  Variables: Variables
}

/** Worker bindings: DATABASE_URL and DATABASE_AUTH_TOKEN are secrets (`wrangler secret put`). */
export const workerEnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^(https?|libsql|wss?):\/\//, 'DATABASE_URL must be an http(s):// or libsql:// URL on Workers')
    .describe('libSQL server URL (`libsql://` or `https://`); a secret: `npx wrangler secret put DATABASE_URL`'),
  DATABASE_AUTH_TOKEN: z.string().min(1).optional().describe('token of the libSQL server; a secret: `npx wrangler secret put DATABASE_AUTH_TOKEN`'),
})
/** Validated Worker bindings. */
export type WorkerEnv = z.infer<typeof workerEnvSchema>

/** Validates the Worker's bindings, throwing a ZodError that names the missing or bad variable. */
export function parseWorkerEnv(env: unknown): WorkerEnv {
  return workerEnvSchema.parse(env)
}
