// CDR filters → SQL on the cdrs indexes, and newest-first keyset pages on (started_at_ms, id) that never repeat or skip a row.
import { and, desc, gte, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { cdrs } from '../../shared/db/schema.js'
import type { CdrRow } from '../../shared/entities/cdr.js'
import { prefixUpperBound, type CdrCursor, type CdrQuery } from '../../shared/entities/cdr-query.js'
import type { Queryable } from '../env.js'

/** The filters of a CDR search (the query without paging). */
export type CdrFilters = Omit<CdrQuery, 'limit' | 'cursor'>

/**
 * Which index drives a search. `time`: `(started_at_ms, id)` or an equality filter's `(col, started_at_ms, id)`, read
 * in order so a page stops after `limit + 1` rows. `callee`/`caller`: the number's `(col, started_at_ms)` index over the
 * prefix range, then a sort; chosen only when the prefix matches fewer than PREFIX_PLAN_MAX_ROWS rows in total.
 */
export type CdrPlan = 'time' | 'callee' | 'caller'

/** Above this many matching rows a prefix is common enough that reading newest-first by time finds a page sooner. */
export const PREFIX_PLAN_MAX_ROWS = 20_000

/** A condition on a column, with SQLite's unary `+` when the index on that column must not drive the plan. */
function on(column: SQLWrapper, indexed: boolean): SQL {
  return indexed ? sql`${column}` : sql`+${column}`
}

/** Counts the rows a prefix matches, stopping at PREFIX_PLAN_MAX_ROWS (a covering index range scan). */
async function countPrefix(db: Queryable, column: SQLWrapper, prefix: string): Promise<number> {
  const rows = await db.all<{ n: number }>(
    sql`select count(*) as n from (select 1 from ${cdrs} where ${column} >= ${prefix} and ${column} < ${prefixUpperBound(prefix)} limit ${PREFIX_PLAN_MAX_ROWS})`,
  )
  return Number(rows[0]?.n ?? 0)
}

/** Picks the index for a search: the rarer of the caller/callee prefixes when it is selective, else time order. */
export async function chooseCdrPlan(db: Queryable, f: CdrFilters): Promise<CdrPlan> {
  let best: { plan: CdrPlan; n: number } = { plan: 'time', n: PREFIX_PLAN_MAX_ROWS }
  if (f.callee !== undefined) {
    const n = await countPrefix(db, cdrs.callee, f.callee)
    if (n < best.n) best = { plan: 'callee', n }
  }
  if (f.caller !== undefined) {
    const n = await countPrefix(db, cdrs.caller, f.caller)
    if (n < best.n) best = { plan: 'caller', n }
  }
  return best.plan
}

/** The WHERE clause of a search under a plan, positioned after `cursor` when given. */
export function cdrWhere(f: CdrFilters, plan: CdrPlan, cursor: CdrCursor | null): SQL | undefined {
  const byTime = plan === 'time'
  const t = on(cdrs.startedAtMs, byTime)
  const conditions: (SQL | undefined)[] = []
  if (f.from !== undefined) conditions.push(sql`${t} >= ${Date.parse(f.from)}`)
  if (f.to !== undefined) conditions.push(sql`${t} < ${Date.parse(f.to)}`)
  if (cursor !== null) {
    conditions.push(sql`${t} <= ${cursor.startedAtMs}`)
    conditions.push(sql`(${t} < ${cursor.startedAtMs} or ${cdrs.id} < ${cursor.id})`)
  }
  const equal = (column: SQLWrapper, value: string | number | undefined) => {
    if (value !== undefined) conditions.push(sql`${on(column, byTime)} = ${value}`)
  }
  equal(cdrs.accountId, f.accountId)
  equal(cdrs.mappingGatewayId, f.mappingGatewayId)
  equal(cdrs.routingGatewayId, f.routingGatewayId)
  equal(cdrs.terminationReason, f.reason)
  equal(cdrs.sipCode, f.sipCode)
  for (const [column, prefix, plan2] of [[cdrs.callee, f.callee, 'callee'], [cdrs.caller, f.caller, 'caller']] as const) {
    if (prefix === undefined) continue
    const c = on(column, plan === plan2)
    conditions.push(sql`${c} >= ${prefix}`, sql`${c} < ${prefixUpperBound(prefix)}`)
  }
  if (f.minDurationSec !== undefined) conditions.push(gte(cdrs.durationSec, f.minDurationSec))
  return and(...conditions)
}

/** The ORDER BY of a plan: newest first; under a prefix plan `+` keeps the time index from driving the scan. */
function cdrOrder(plan: CdrPlan): SQL[] {
  if (plan === 'time') return [desc(cdrs.startedAtMs), desc(cdrs.id)]
  return [sql`+${cdrs.startedAtMs} desc`, sql`${cdrs.id} desc`]
}

/** Where a page starts and how long it is. */
export interface CdrPageRequest {
  limit: number
  cursor: CdrCursor | null
  plan: CdrPlan
}

/** Splits `limit + 1` fetched rows into the page and the cursor after its last row (null when no row follows). */
function toPage<R extends { startedAtMs: number; id: string }>(rows: R[], limit: number): { rows: R[]; next: CdrCursor | null } {
  const items = rows.slice(0, limit)
  const last = items[items.length - 1]
  const next = rows.length > limit && last !== undefined ? { startedAtMs: last.startedAtMs, id: last.id } : null
  return { rows: items, next }
}

/** One page of CDRs newest first, and the cursor after its last row. */
export async function fetchCdrPage(db: Queryable, f: CdrFilters, page: CdrPageRequest): Promise<{ rows: CdrRow[]; next: CdrCursor | null }> {
  const rows = await db.select().from(cdrs).where(cdrWhere(f, page.plan, page.cursor)).orderBy(...cdrOrder(page.plan)).limit(page.limit + 1)
  return toPage(rows, page.limit)
}

/** One page of a single SQL expression per CDR (e.g. a CSV line), with the keyset columns for the cursor. */
export async function fetchCdrPageOf<T>(db: Queryable, f: CdrFilters, page: CdrPageRequest, value: SQL<T>): Promise<{ rows: { value: T }[]; next: CdrCursor | null }> {
  const rows = await db
    .select({ startedAtMs: cdrs.startedAtMs, id: cdrs.id, value })
    .from(cdrs)
    .where(cdrWhere(f, page.plan, page.cursor))
    .orderBy(...cdrOrder(page.plan))
    .limit(page.limit + 1)
  return toPage(rows, page.limit)
}

/** The page query as SQL, for EXPLAIN QUERY PLAN in tests and the benchmark. */
export function cdrPageSql(db: Queryable, f: CdrFilters, plan: CdrPlan, cursor: CdrCursor | null, limit: number): SQL {
  return db.select().from(cdrs).where(cdrWhere(f, plan, cursor)).orderBy(...cdrOrder(plan)).limit(limit + 1).getSQL()
}

