// GET /v1/analysis/gateway-failures: per routing gateway, every attempt's failure codes and reasons over a window with their share.
import { z } from 'zod'
import { entityId } from '../../../shared/entities/fields.js'
import { analyseGatewayFailures, gatewayFailureRow } from '../../analysis/gateway-failures.js'
import { analysisWindowFields, checkWindow, windowMs } from '../../analysis/window.js'
import { defineOperation } from '../../openapi/operation.js'

/** Query of GET /v1/analysis/gateway-failures. */
export const gatewayFailuresQuery = z
  .object({ ...analysisWindowFields, routingGatewayId: entityId.optional().describe('only this gateway') })
  .superRefine(checkWindow)

/** The routing-gateway fail analysis operation of /v1/analysis. */
export const analyseGatewayFailuresOperation = defineOperation(
  {
    method: 'get',
    path: '/gateway-failures',
    operationId: 'analyseGatewayFailures',
    summary: 'Routing-gateway fail analysis: SIP codes and reasons of every attempt (failovers included) with their share',
    query: gatewayFailuresQuery,
    responses: { 200: { description: 'one row per routing gateway, most failures first', schema: z.object({ items: z.array(gatewayFailureRow) }) } },
  },
  async (c, { query }) => c.json({ items: await analyseGatewayFailures(c.var.db, windowMs(query), query.routingGatewayId) }),
)
