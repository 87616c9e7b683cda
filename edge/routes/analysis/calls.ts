// GET /v1/analysis/calls: attempts, answered, ASR, ACD, average PDD and failures by reason, grouped by gateway, account, reason or hour.
import { z } from 'zod'
import { analyseCalls, CALL_GROUPINGS, callAnalysisRow } from '../../analysis/calls.js'
import { analysisWindowFields, checkWindow, windowMs } from '../../analysis/window.js'
import { defineOperation } from '../../openapi/operation.js'

/** Query of GET /v1/analysis/calls. */
export const callAnalysisQuery = z
  .object({ ...analysisWindowFields, groupBy: z.enum(CALL_GROUPINGS).default('routingGateway').describe('routingGateway = the final gateway of each call') })
  .superRefine(checkWindow)

/** The call analysis operation of /v1/analysis. */
export const analyseCallsOperation = defineOperation(
  {
    method: 'get',
    path: '/calls',
    operationId: 'analyseCalls',
    summary: 'Call analysis over a window (at most 31 days) grouped by routingGateway, mappingGateway, account, reason, hour or fiveMinutes',
    query: callAnalysisQuery,
    responses: { 200: { description: 'one row per group', schema: z.object({ items: z.array(callAnalysisRow) }) } },
  },
  async (c, { query }) => c.json({ items: await analyseCalls(c.var.db, windowMs(query), query.groupBy) }),
)
