// Database lease for a named job: one conditional upsert claims it (free or expired), so concurrent runs on any runtime never both proceed.
import { and, eq, lte, sql } from 'drizzle-orm'
import { jobLeases } from '../../shared/db/schema.js'
import type { Queryable } from '../env.js'

/** Claims `name` for `holder` until nowMs + ttlMs when nobody holds an unexpired lease; true when this call got it. */
export async function claimLease(db: Queryable, name: string, holder: string, nowMs: number, ttlMs: number): Promise<boolean> {
  const rows = await db
    .insert(jobLeases)
    .values({ name, holder, acquiredAtMs: nowMs, expiresAtMs: nowMs + ttlMs })
    .onConflictDoUpdate({
      target: jobLeases.name,
      set: { holder: sql`excluded.holder`, acquiredAtMs: sql`excluded.acquired_at_ms`, expiresAtMs: sql`excluded.expires_at_ms` },
      setWhere: lte(jobLeases.expiresAtMs, nowMs),
    })
    .returning({ holder: jobLeases.holder })
  return rows[0]?.holder === holder
}

/** Gives the lease back early (expires it) when `holder` still has it; a no-op otherwise. */
export async function releaseLease(db: Queryable, name: string, holder: string): Promise<void> {
  await db.update(jobLeases).set({ expiresAtMs: 0 }).where(and(eq(jobLeases.name, name), eq(jobLeases.holder, holder)))
}
