// Runs a configuration write in one transaction that also bumps the config version, mapping constraint errors to 409.
import type { AuditRecorder, Db, Queryable } from './env.js'
import { bumpConfigVersion } from './config-version.js'
import { ApiError } from './errors.js'

/** The `table.column` named by a UNIQUE constraint failure anywhere in the error's cause chain, else null. */
export function uniqueViolation(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const match = /UNIQUE constraint failed: ([\w.]+)/.exec(e.message)
    if (match?.[1] !== undefined) return match[1]
  }
  return null
}

/** True when a FOREIGN KEY constraint failure is anywhere in the error's cause chain. */
export function foreignKeyViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e.message.includes('FOREIGN KEY constraint failed')) return true
  }
  return false
}

/** Options of a write: whether it changes what the core loads, and the 409 message for a unique violation. */
export interface WriteOptions {
  /** Bump `config_version` in the same transaction (every write the core must reload). */
  configChange: boolean
  onUnique?: (column: string) => string
  /** The request's audit trail: what `write` recorded is inserted in the same transaction. */
  audit?: AuditRecorder | undefined
}

/** Runs `write` in one write transaction (plus the config-version bump when asked); unique or foreign key → 409. */
export async function runWrite<T>(db: Db, write: (tx: Queryable, nowMs: number) => Promise<T>, options: WriteOptions): Promise<T> {
  const nowMs = Date.now()
  try {
    return await db.transaction(async (tx) => {
      const result = await write(tx, nowMs)
      if (options.configChange) await bumpConfigVersion(tx, nowMs)
      await options.audit?.flush(tx, nowMs)
      return result
    })
  } catch (err) {
    if (err instanceof ApiError) throw err
    const column = uniqueViolation(err)
    if (column !== null) throw new ApiError('CONFLICT', options.onUnique?.(column) ?? `${column} is already taken`, { cause: err })
    if (foreignKeyViolation(err)) throw new ApiError('CONFLICT', 'the change would break a reference between resources', { cause: err })
    throw err
  }
}

/** Runs a configuration write: `write`, the config-version bump and the audit entries in one transaction. */
export async function runConfigWrite<T>(
  db: Db,
  write: (tx: Queryable, nowMs: number) => Promise<T>,
  onUnique?: (column: string) => string,
  audit?: AuditRecorder,
): Promise<T> {
  return runWrite(db, write, { configChange: true, audit, ...(onUnique === undefined ? {} : { onUnique }) })
}
