// GET /v1/status/gateways: live routing-gateway state (online, last check, RTT, current calls) as the live core nodes published it, summed over nodes.
import { z } from 'zod'
import { routingGatewayStatusFromRow, routingGatewayStatusItem } from '../../../shared/entities/gateway-status.js'
import { defineOperation } from '../../openapi/operation.js'
import { readGatewayStatus } from '../../live/gateway-status.js'
import { registrationsByGateway } from '../../live/registrations.js'

/** The gateways operation of /v1/status. */
export const getGatewayStatus = defineOperation(
  {
    method: 'get',
    path: '/gateways',
    operationId: 'getGatewayStatus',
    summary: 'Routing gateways as last published by the core: online (OPTIONS), last check, RTT, loss, current calls, calls per second, registration',
    responses: { 200: { description: 'one item per routing gateway a core has published', schema: z.object({ items: z.array(routingGatewayStatusItem) }) } },
  },
  async (c) => {
    const rows = await readGatewayStatus(c.var.db, 'routing', Date.now())
    const registered = await registrationsByGateway(c.var.db, Date.now(), 'routing')
    return c.json({ items: rows.map((r) => routingGatewayStatusFromRow(r, registered.get(r.gatewayId) ?? null)) })
  },
)
