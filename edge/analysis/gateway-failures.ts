// Routing-gateway fail analysis: every attempt in the CDRs' `attempts` (json_each), so a vendor that failed before a failover still counts.
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import { cdrs } from '../../shared/db/schema.js'
import { TERMINATION_REASONS, type TerminationReason } from '../../shared/termination/reasons.js'
import type { Queryable } from '../env.js'
import { roundTo } from './calls.js'

/** One failure cause of a gateway with its share of that gateway's failed attempts. */
const share = z.number().describe('count / failed attempts of the gateway, 0..1')

/** One gateway of GET /v1/analysis/gateway-failures. */
export const gatewayFailureRow = z.object({
  routingGatewayId: z.string(),
  attempts: z.number().int().describe('INVITEs sent to the gateway (every attempt, failovers included)'),
  answered: z.number().int().describe('attempts answered with 2xx'),
  failed: z.number().int().describe('attempts ending in 3xx-6xx or without any response'),
  failureRatio: z.number().describe('failed / attempts'),
  byCode: z.array(z.object({ sipCode: z.number().int().nullable().describe('null = no response'), count: z.number().int(), share })),
  byReason: z.array(z.object({ reason: z.enum(TERMINATION_REASONS), count: z.number().int(), share })),
})
/** Inferred row type. */
export type GatewayFailureRow = z.infer<typeof gatewayFailureRow>

interface Part {
  gatewayId: string
  sipCode: number | null
  reason: TerminationReason
  n: number
}

/** Attempt is answered when its final code is 2xx; anything else (including no response) is a failure. */
const isAnswered = (code: number | null): boolean => code !== null && code >= 200 && code < 300

/** Per routing gateway over [fromMs, toMs): attempts, failures, and failure codes and reasons with their share; worst first. */
export async function analyseGatewayFailures(
  db: Queryable,
  window: { fromMs: number; toMs: number },
  routingGatewayId?: string,
): Promise<GatewayFailureRow[]> {
  const gw = sql`json_extract(a.value, '$.routingGatewayId')`
  const parts = await db.all<Part>(sql`
    select ${gw} as gatewayId, json_extract(a.value, '$.sipCode') as sipCode, json_extract(a.value, '$.reason') as reason, count(*) as n
    from ${cdrs}, json_each(${cdrs.attempts}) as a
    where ${cdrs.startedAtMs} >= ${window.fromMs} and ${cdrs.startedAtMs} < ${window.toMs}
      ${routingGatewayId === undefined ? sql`` : sql`and ${gw} = ${routingGatewayId}`}
    group by 1, 2, 3`)
  const byGateway = new Map<string, { attempts: number; answered: number; codes: Map<number | null, number>; reasons: Map<TerminationReason, number> }>()
  for (const p of parts) {
    const g = byGateway.get(p.gatewayId) ?? { attempts: 0, answered: 0, codes: new Map(), reasons: new Map() }
    g.attempts += p.n
    if (isAnswered(p.sipCode)) g.answered += p.n
    else {
      g.codes.set(p.sipCode, (g.codes.get(p.sipCode) ?? 0) + p.n)
      g.reasons.set(p.reason, (g.reasons.get(p.reason) ?? 0) + p.n)
    }
    byGateway.set(p.gatewayId, g)
  }
  const rows = [...byGateway].map(([id, g]): GatewayFailureRow => {
    const failed = g.attempts - g.answered
    const ranked = <K>(m: Map<K, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, count]) => ({ k, count, share: roundTo(count / failed, 4) }))
    return {
      routingGatewayId: id,
      attempts: g.attempts,
      answered: g.answered,
      failed,
      failureRatio: roundTo(failed / g.attempts, 4),
      byCode: ranked(g.codes).map(({ k, ...r }) => ({ sipCode: k, ...r })),
      byReason: ranked(g.reasons).map(({ k, ...r }) => ({ reason: k, ...r })),
    }
  })
  return rows.sort((a, b) => b.failed - a.failed || a.routingGatewayId.localeCompare(b.routingGatewayId))
}
