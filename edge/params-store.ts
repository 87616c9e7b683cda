// Reads and writes the stored system parameter overrides; absent rows mean the catalogue default applies.
import { eq } from 'drizzle-orm'
import { systemParameters } from '../shared/db/schema.js'
import type { ParameterInsert, ParameterRow } from '../shared/entities/parameter.js'
import { resolveParams, type SystemParams } from '../shared/params/system-params.js'
import type { Queryable } from './env.js'

/** Every stored override row, keyed by parameter name. */
export async function readParamRows(db: Queryable): Promise<Map<string, ParameterRow>> {
  const rows = await db.select().from(systemParameters)
  return new Map(rows.map((r) => [r.name, r]))
}

/** The stored override row of one parameter, if any. */
export async function readParamRow(db: Queryable, name: string): Promise<ParameterRow | undefined> {
  const rows = await db.select().from(systemParameters).where(eq(systemParameters.name, name)).limit(1)
  return rows[0]
}

/** Every stored override as `{ NAME: value }`. */
export async function readStoredParams(db: Queryable): Promise<Record<string, unknown>> {
  return Object.fromEntries([...(await readParamRows(db)).values()].map((r) => [r.name, r.value]))
}

/** The effective value of every parameter (stored overrides over defaults, as the core resolves them). */
export async function readEffectiveParams(db: Queryable): Promise<SystemParams> {
  return resolveParams(await readStoredParams(db)).params
}

/** Stores one override row (insert or replace). */
export async function writeParamRow(tx: Queryable, row: ParameterInsert): Promise<void> {
  await tx
    .insert(systemParameters)
    .values(row)
    .onConflictDoUpdate({ target: systemParameters.name, set: { value: row.value, updatedAtMs: row.updatedAtMs } })
}
