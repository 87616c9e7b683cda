// Call analysis: attempts, answered, ASR, ACD, average PDD, failures by reason and margin (revenue, cost, profit) per group, in one GROUP BY over the time window.
import { sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { cdrs } from '../../shared/db/schema.js'
import { TERMINATION_REASONS, type TerminationReason } from '../../shared/termination/reasons.js'
import type { Queryable } from '../env.js'

/** What call analysis can group by; `hour` and `fiveMinutes` bucket by the start time (UTC). */
export const CALL_GROUPINGS = ['routingGateway', 'mappingGateway', 'account', 'reason', 'hour', 'fiveMinutes'] as const
/** One grouping. */
export type CallGrouping = (typeof CALL_GROUPINGS)[number]

/** One row of GET /v1/analysis/calls. */
export const callAnalysisRow = z.object({
  key: z.string().nullable().describe('group id, reason, or the bucket start (ISO) for hour and fiveMinutes; null = calls without one (e.g. no gateway)'),
  attempts: z.number().int().describe('calls started in the window'),
  answered: z.number().int(),
  asr: z.number().describe('answered / attempts, 0..1'),
  acdSec: z.number().nullable().describe('average duration of answered calls; null when none was answered'),
  avgPddMs: z.number().nullable().describe('average post-dial delay of calls that had one'),
  failuresByReason: z.partialRecord(z.enum(TERMINATION_REASONS), z.number().int()).describe('unanswered calls per termination reason'),
  revenue: z.number().describe('sum of the customer cost of the calls (unrated calls count 0)'),
  cost: z.number().describe('sum of the vendor cost of the calls (unrated calls count 0)'),
  profit: z.number().describe('revenue - cost'),
})
/** Inferred row type. */
export type CallAnalysisRow = z.infer<typeof callAnalysisRow>

const HOUR_MS = 3_600_000
const FIVE_MINUTES_MS = 300_000

/** Bucket width of the time groupings. */
const BUCKET_MS: Partial<Record<CallGrouping, number>> = { hour: HOUR_MS, fiveMinutes: FIVE_MINUTES_MS }

function keyExpression(groupBy: CallGrouping): SQL {
  switch (groupBy) {
    case 'routingGateway': return sql`${cdrs.routingGatewayId}`
    case 'mappingGateway': return sql`${cdrs.mappingGatewayId}`
    case 'account': return sql`${cdrs.accountId}`
    case 'reason': return sql`${cdrs.terminationReason}`
    case 'hour': return sql`(${cdrs.startedAtMs} - ${cdrs.startedAtMs} % ${HOUR_MS})`
    case 'fiveMinutes': return sql`(${cdrs.startedAtMs} - ${cdrs.startedAtMs} % ${FIVE_MINUTES_MS})`
  }
}

interface Part {
  key: string | number | null
  reason: TerminationReason
  calls: number
  answered: number
  answeredSec: number
  pddSum: number
  pddCount: number
  revenue: number
  vendorCost: number
}

/** Decimals of the money sums (the most SERVER_BILLING_FEE_PRECISION allows), so float sums do not show 0.30000000000000004. */
export const MARGIN_DECIMALS = 8

/** Rounds to `digits` decimals (presentation only). */
export const roundTo = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits

/** Aggregates the window [fromMs, toMs) by `groupBy`; rows by attempts descending (by time for the time buckets). */
export async function analyseCalls(db: Queryable, window: { fromMs: number; toMs: number }, groupBy: CallGrouping): Promise<CallAnalysisRow[]> {
  const parts = await db.all<Part>(sql`
    select ${keyExpression(groupBy)} as key, ${cdrs.terminationReason} as reason, count(*) as calls,
      count(${cdrs.answeredAtMs}) as answered,
      total(case when ${cdrs.answeredAtMs} is not null then ${cdrs.durationSec} end) as answeredSec,
      total(${cdrs.pddMs}) as pddSum, count(${cdrs.pddMs}) as pddCount,
      total(${cdrs.cost}) as revenue, total(${cdrs.vendorCost}) as vendorCost
    from ${cdrs}
    where ${cdrs.startedAtMs} >= ${window.fromMs} and ${cdrs.startedAtMs} < ${window.toMs}
    group by 1, 2`)
  const groups = new Map<string | number | null, Omit<Part, 'key' | 'reason'> & { failures: Partial<Record<TerminationReason, number>> }>()
  for (const p of parts) {
    const g = groups.get(p.key) ?? { calls: 0, answered: 0, answeredSec: 0, pddSum: 0, pddCount: 0, revenue: 0, vendorCost: 0, failures: {} }
    g.calls += p.calls
    g.answered += p.answered
    g.answeredSec += p.answeredSec
    g.pddSum += p.pddSum
    g.pddCount += p.pddCount
    g.revenue += p.revenue
    g.vendorCost += p.vendorCost
    const failed = p.calls - p.answered
    if (failed > 0) g.failures[p.reason] = (g.failures[p.reason] ?? 0) + failed
    groups.set(p.key, g)
  }
  const rows = [...groups].map(([key, g]): CallAnalysisRow => ({
    key: key === null ? null : BUCKET_MS[groupBy] !== undefined ? new Date(Number(key)).toISOString() : String(key),
    attempts: g.calls,
    answered: g.answered,
    asr: roundTo(g.answered / g.calls, 4),
    acdSec: g.answered === 0 ? null : roundTo(g.answeredSec / g.answered, 1),
    avgPddMs: g.pddCount === 0 ? null : Math.round(g.pddSum / g.pddCount),
    failuresByReason: g.failures,
    revenue: roundTo(g.revenue, MARGIN_DECIMALS),
    cost: roundTo(g.vendorCost, MARGIN_DECIMALS),
    profit: roundTo(g.revenue - g.vendorCost, MARGIN_DECIMALS),
  }))
  if (BUCKET_MS[groupBy] !== undefined) return rows.sort((a, b) => (a.key ?? '').localeCompare(b.key ?? ''))
  return rows.sort((a, b) => b.attempts - a.attempts || (a.key ?? '').localeCompare(b.key ?? ''))
}
