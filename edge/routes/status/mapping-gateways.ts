// GET /v1/status/mapping-gateways: live mapping-gateway load (current calls, calls per second) as the live core nodes published it, summed over nodes.
import { z } from 'zod'
import { mappingGatewayStatusFromRow, mappingGatewayStatusItem } from '../../../shared/entities/gateway-status.js'
import { defineOperation } from '../../openapi/operation.js'
import { readGatewayStatus } from '../../live/gateway-status.js'
import { registrationsByGateway } from '../../live/registrations.js'

/** The mapping-gateways operation of /v1/status. */
export const getMappingGatewayStatus = defineOperation(
  {
    method: 'get',
    path: '/mapping-gateways',
    operationId: 'getMappingGatewayStatus',
    summary: 'Mapping gateways as last published by the core: current calls, calls per second and registration',
    responses: { 200: { description: 'one item per mapping gateway a core has published', schema: z.object({ items: z.array(mappingGatewayStatusItem) }) } },
  },
  async (c) => {
    const rows = await readGatewayStatus(c.var.db, 'mapping', Date.now())
    const registered = await registrationsByGateway(c.var.db, Date.now(), 'mapping')
    return c.json({ items: rows.map((r) => mappingGatewayStatusFromRow(r, registered.get(r.gatewayId) ?? null)) })
  },
)
