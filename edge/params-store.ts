// Reads and writes the stored system parameter overrides; absent rows mean the catalogue default applies.
import { systemParameters } from '../shared/db/schema.js'
import { resolveParams, type SystemParams } from '../shared/params/system-params.js'
import type { Queryable } from './env.js'

/** Every stored override as `{ NAME: value }`. */
export async function readStoredParams(db: Queryable): Promise<Record<string, unknown>> {
  const rows = await db.select({ name: systemParameters.name, value: systemParameters.value }).from(systemParameters)
  return Object.fromEntries(rows.map((r) => [r.name, r.value]))
}

/** The effective value of every parameter (stored overrides over defaults, as the core resolves them). */
export async function readEffectiveParams(db: Queryable): Promise<SystemParams> {
  return resolveParams(await readStoredParams(db)).params
}

/** Stores one override (insert or replace). */
export async function writeParam(tx: Queryable, name: string, value: unknown, nowMs: number): Promise<void> {
  await tx
    .insert(systemParameters)
    .values({ name, value, updatedAtMs: nowMs })
    .onConflictDoUpdate({ target: systemParameters.name, set: { value, updatedAtMs: nowMs } })
}
