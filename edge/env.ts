// Hono environment types for the edge app and the zod schema that validates the Worker's bindings.
import { z } from 'zod'
import type { ResultSet } from '@libsql/client'
import type { LibSQLDatabase } from 'drizzle-orm/libsql'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { API_KEY_ROLES } from '../shared/entities/enums.js'
import type { Logger } from '../shared/log/logger.js'

/** Drizzle handle over any libSQL client (embedded file on Node, HTTP on Workers). */
export type Db = LibSQLDatabase

/** A database or an open transaction on it: what query helpers accept. */
export type Queryable = BaseSQLiteDatabase<'async', ResultSet>

/** One operator role: admin may do everything, viewer may only read. */
export type ApiRole = (typeof API_KEY_ROLES)[number]

/** The authenticated caller, set by the auth middleware: the API key, and whether it came as a bearer token or a console session. */
export interface Principal {
  keyId: string
  keyName: string
  role: ApiRole
  via: 'bearer' | 'session'
}

/** One change a write made, as the audit trail records it (secrets are redacted when stored). */
export interface AuditChange {
  resourceId?: string | null
  action?: string
  before?: unknown
  after?: unknown
}

/** The audit trail of the current write request (set by the audit middleware on every non-GET under /v1). */
export interface AuditRecorder {
  /** Called by every operation's handler wrapper: its operationId, audit action and parsed path parameters. */
  enter(operation: string, action: string | undefined, params: Record<string, unknown> | undefined): void
  /** Records a change with its before/after state; several calls record several entries. */
  record(change: AuditChange): void
  /** Inserts the recorded entries inside the write's own transaction (runWrite calls it); later calls insert nothing. */
  flush(tx: Queryable, nowMs: number): Promise<void>
}

/** Per-request variables every handler may read. */
export interface Variables {
  requestId: string
  /** The app's logger with this request's id (set by the access-log middleware). */
  log: Logger
  db: Db
  principal: Principal
  audit: AuditRecorder | undefined
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
