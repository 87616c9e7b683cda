// What each account with a daily spend limit has already spent today, read from the CDRs at start so a restart does not reset the fraud guard.
import { and, gte, inArray, isNotNull, sql } from 'drizzle-orm'
import { cdrs } from '../../shared/db/schema.js'
import type { Db } from '../../shared/db/node/database.js'
import { dayIn, type SpendCounter } from '../policy/call-guards.js'

/** Quarter hours: every time zone's offset is a multiple of 15 min, so a bucket never straddles a local midnight. */
const BUCKET_MS = 900_000

/**
 * Adds today's billed costs (in `timeZone`) of the given accounts to `spend`, from the CDRs that ended in the last
 * 26 hours, summed per account and quarter hour in SQL. Returns how much it added. CDRs still in the journal at
 * start reach the database moments later and are not counted (a few seconds of calls).
 */
export async function seedSpendToday(db: Db, spend: SpendCounter, accountIds: readonly string[], timeZone: string, nowMs: number): Promise<number> {
  if (accountIds.length === 0) return 0
  const bucket = sql<number>`(${cdrs.endedAtMs} / ${BUCKET_MS}) * ${BUCKET_MS}`
  const rows = await db.select({ accountId: cdrs.accountId, atMs: bucket, cost: sql<number>`total(${cdrs.cost})` }).from(cdrs)
    .where(and(gte(cdrs.endedAtMs, nowMs - 26 * 3_600_000), inArray(cdrs.accountId, [...accountIds]), isNotNull(cdrs.cost)))
    .groupBy(cdrs.accountId, bucket)
  const today = dayIn(timeZone, nowMs)
  let added = 0
  for (const r of rows) {
    if (r.accountId === null || dayIn(timeZone, Number(r.atMs)) !== today) continue
    spend.add(r.accountId, Number(r.cost), nowMs)
    added += Number(r.cost)
  }
  return added
}
