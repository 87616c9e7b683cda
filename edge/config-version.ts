// The config version the core polls: read it, and bump it inside every configuration write.
import { eq, sql } from 'drizzle-orm'
import { configVersion, CONFIG_VERSION_ROW_ID } from '../shared/db/schema.js'
import type { Queryable } from './env.js'

/** Increments the version (creating the row at 1 on a fresh database); call inside the write's transaction. */
export async function bumpConfigVersion(tx: Queryable, nowMs: number): Promise<void> {
  await bumpConfigVersionQuery(tx, nowMs)
}

/** The bump as an unexecuted statement, for a `db.batch([...])` that must commit it together with other writes. */
export function bumpConfigVersionQuery(tx: Queryable, nowMs: number) {
  return tx
    .insert(configVersion)
    .values({ id: CONFIG_VERSION_ROW_ID, version: 1, updatedAtMs: nowMs })
    .onConflictDoUpdate({
      target: configVersion.id,
      set: { version: sql`${configVersion.version} + 1`, updatedAtMs: nowMs },
    })
}

/** The current config version; 0 when nothing has been written yet. */
export async function readConfigVersion(db: Queryable): Promise<number> {
  const rows = await db
    .select({ version: configVersion.version })
    .from(configVersion)
    .where(eq(configVersion.id, CONFIG_VERSION_ROW_ID))
  return rows[0]?.version ?? 0
}
