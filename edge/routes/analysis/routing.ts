// GET /v1/analysis/routing: how the core would route a number now (candidates in order) and why every other gateway was skipped.
import { z } from 'zod'
import { entityId, isoTime } from '../../../shared/entities/fields.js'
import { routeSkipReason } from '../../../shared/routing/skip-reasons.js'
import { analyseRouting } from '../../analysis/routing.js'
import { defineOperation } from '../../openapi/operation.js'

const number = z.string().regex(/^[0-9*#+]{1,64}$/, 'digits, *, # and + only')

/** True when `zone` is an IANA time zone this runtime knows. */
function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** Query of GET /v1/analysis/routing. */
export const routingAnalysisQuery = z.object({
  callee: number.describe('called number as received'),
  mappingGatewayId: entityId.describe('the customer gateway the call comes from'),
  caller: number.optional().describe('calling number (only changes callerOut)'),
  at: isoTime.optional().describe('evaluate work calendars at this time instead of now'),
  timeZone: z.string().max(64).refine(knownTimeZone, 'unknown IANA time zone').optional().describe('zone the group calendars are read in; default SS_TIMEZONE'),
})

/** The routing analysis response (docs/api.md "Queries": candidates and rejected, plus the rewritten numbers, target and each skip's matched prefix). */
export const routingAnalysis = z.object({
  at: z.string().describe('the time the decision was made for'),
  timeZone: z.string().describe('zone the group calendars were read in'),
  decision: z.enum(['route', 'reject']),
  reason: z.enum(['NoAvailableRouter', 'AllGatewayBusy', 'AccountBalanceNotEnough']).nullable().describe('termination reason when rejected'),
  candidates: z.array(z.object({
    routingGatewayId: z.string(), priority: z.number().int(), matchedPrefix: z.string(), protectRoute: z.boolean(),
    calleeOut: z.string(), callerOut: z.string(), host: z.string(), port: z.number().int(),
  })),
  rejected: z.array(z.object({ routingGatewayId: z.string(), reason: routeSkipReason, matchedPrefix: z.string().nullable() })),
})

/** The routing analysis operation of /v1/analysis. */
export const analyseRoutingOperation = defineOperation(
  {
    method: 'get',
    path: '/routing',
    operationId: 'analyseRouting',
    summary: 'Routing analysis: the core routing function on the current configuration and last published gateway status',
    query: routingAnalysisQuery,
    responses: { 200: { description: 'candidates in try order (equal priorities share load at call time) and every skipped gateway', schema: routingAnalysis } },
  },
  async (c, { query }) => {
    const nowMs = query.at === undefined ? Date.now() : Date.parse(query.at)
    const { decision: d, timeZone } = await analyseRouting(c.var.db, {
      callee: query.callee,
      caller: query.caller ?? '',
      mappingGatewayId: query.mappingGatewayId,
      nowMs,
      ...(query.timeZone === undefined ? {} : { timeZone: query.timeZone }),
    })
    return c.json({
      at: new Date(nowMs).toISOString(),
      timeZone,
      decision: d.kind,
      reason: d.kind === 'reject' ? d.reason : null,
      candidates: d.kind === 'route' ? d.candidates : [],
      rejected: d.rejected,
    })
  },
)
