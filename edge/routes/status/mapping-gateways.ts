// GET /v1/status/mapping-gateways: live mapping-gateway load (current calls, calls per second) as last published by the core(s).
import { asc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { gatewayStatus } from '../../../shared/db/schema.js'
import { mappingGatewayStatusFromRow, mappingGatewayStatusItem } from '../../../shared/entities/gateway-status.js'
import { defineOperation } from '../../openapi/operation.js'
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
    const rows = await c.var.db.select().from(gatewayStatus).where(eq(gatewayStatus.kind, 'mapping')).orderBy(asc(gatewayStatus.gatewayId))
    const registered = await registrationsByGateway(c.var.db, Date.now(), 'mapping')
    return c.json({ items: rows.map((r) => mappingGatewayStatusFromRow(r, registered.get(r.gatewayId) ?? null)) })
  },
)
