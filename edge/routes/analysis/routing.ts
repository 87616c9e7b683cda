// GET /v1/analysis/routing: how the core would route a number now (candidates in order with price, margin, quality and why) and why every other gateway was skipped.
import { z } from 'zod'
import { entityId, isoTime } from '../../../shared/entities/fields.js'
import { explainOrder } from '../../../shared/routing/explain.js'
import { ROUTE_REJECT_REASONS, routeSkipReason } from '../../../shared/routing/skip-reasons.js'
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
  caller: number.optional().describe('calling number as received (only changes callerOut and caller ID)'),
  callerPrivacy: z.string().max(64).regex(/^[A-Za-z;, ]+$/, 'privacy tokens such as id, user;id').optional().describe('the caller\'s Privacy header value, for the caller-ID rules'),
  at: isoTime.optional().describe('evaluate work calendars at this time instead of now'),
  timeZone: z.string().max(64).refine(knownTimeZone, 'unknown IANA time zone').optional().describe('zone the group calendars are read in; default SS_TIMEZONE'),
})

const quality = z.object({
  calls: z.number().int(), answered: z.number().int(),
  asr: z.number().nullable().describe('answered / calls, 0..1'), acdSec: z.number().nullable(), pddMs: z.number().nullable(),
}).describe('the quality window of this gateway and route prefix (SS_ROUTE_QUALITY_WINDOW_*), from CDRs')

/** The routing analysis response (docs/api.md "Queries"): the decision, every candidate with its numbers, price, margin, quality and place, every skipped gateway. */
export const routingAnalysis = z.object({
  at: z.string().describe('the time the decision was made for'),
  timeZone: z.string().describe('zone the group calendars were read in'),
  decision: z.enum(['route', 'reject']),
  reason: z.enum([...ROUTE_REJECT_REASONS, 'DialPlanRejected']).nullable().describe('termination reason when rejected'),
  routedCallee: z.string().nullable().describe('callee after the mapping gateway\'s dial plan (what is rated and routed); null when it refused'),
  routedCaller: z.string().nullable(),
  customerPrice: z.number().nullable().describe('what the rated customer pays per minute for the routed callee; null = unrated'),
  candidates: z.array(z.object({
    routingGatewayId: z.string(), priority: z.number().int(), matchedPrefix: z.string(), protectRoute: z.boolean(),
    calleeOut: z.string(), callerOut: z.string(), host: z.string(), port: z.number().int(),
    callerId: z.object({ anonymous: z.boolean(), privacy: z.string().nullable(), assertedIdentity: z.string().nullable() }),
    vendorPrice: z.number().nullable().describe('vendor price per minute for calleeOut (its clearing account\'s rate table)'),
    vendorPricePrefix: z.string().nullable(),
    margin: z.number().nullable().describe('customer price minus vendor price, per minute'),
    quality: quality.nullable(),
    qualityVerdict: z.enum(['unjudged', 'healthy', 'lowAsr', 'highPdd']).nullable(),
    demoted: z.boolean(),
    probe: z.boolean(),
    why: z.string().describe('why it sits where it sits: the key that put it after the candidate before'),
  })),
  rejected: z.array(z.object({
    routingGatewayId: z.string(), reason: routeSkipReason, matchedPrefix: z.string().nullable(),
    vendorPrice: z.number().optional().describe('for priceAboveCustomer: the vendor price per minute'),
    customerPrice: z.number().optional().describe('for priceAboveCustomer: the customer price per minute'),
  })),
})

/** The routing analysis operation of /v1/analysis. */
export const analyseRoutingOperation = defineOperation(
  {
    method: 'get',
    path: '/routing',
    operationId: 'analyseRouting',
    summary: 'Routing analysis: the core routing function on the current configuration, rates, last published gateway status and the quality window from CDRs',
    query: routingAnalysisQuery,
    responses: { 200: { description: 'candidates in try order (equal priorities share load at call time) and every skipped gateway', schema: routingAnalysis } },
  },
  async (c, { query }) => {
    const nowMs = query.at === undefined ? Date.now() : Date.parse(query.at)
    const a = await analyseRouting(c.var.db, {
      callee: query.callee,
      caller: query.caller ?? '',
      mappingGatewayId: query.mappingGatewayId,
      nowMs,
      ...(query.timeZone === undefined ? {} : { timeZone: query.timeZone }),
      ...(query.callerPrivacy === undefined ? {} : { callerPrivacy: query.callerPrivacy }),
    })
    const d = a.decision
    const candidates = d.kind === 'route' ? d.candidates : []
    const why = explainOrder(candidates, a.table.params)
    return c.json({
      at: new Date(nowMs).toISOString(),
      timeZone: a.timeZone,
      decision: d.kind,
      reason: d.kind === 'reject' ? d.reason : null,
      routedCallee: a.routed?.callee ?? null,
      routedCaller: a.routed?.caller ?? null,
      customerPrice: a.customerPrice,
      candidates: candidates.map((x, i) => ({ ...x, why: why[i]! })),
      rejected: d.rejected,
    })
  },
)
