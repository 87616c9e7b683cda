// GET /v1/routing-gateways/{id}/status: one routing gateway's live state (online, RTT, calls) and, when dynamic, its registration.
import { z } from 'zod'
import { entityId, isoTime } from '../../../shared/entities/fields.js'
import { registrationSummary } from '../../../shared/entities/registration.js'
import { routingGatewayStatusFromRow } from '../../../shared/entities/gateway-status.js'
import { defineOperation } from '../../openapi/operation.js'
import { readGatewayStatus } from '../../live/gateway-status.js'
import { registrationsByGateway } from '../../live/registrations.js'
import { findRow } from '../config-resource.js'
import { routingGatewaysResource } from './resource.js'

/** The status of one routing gateway: what a core last published (null before the first publish) and its registration. */
const routingGatewayStatus = z.object({
  routingGatewayId: entityId,
  dynamic: z.boolean(),
  online: z.boolean().nullable().describe('null until a core published the gateway'),
  lastCheckAt: isoTime.nullable(),
  rttMs: z.number().int().nullable(),
  lossRatio: z.number().nullable(),
  lastCode: z.number().int().nullable(),
  currentCalls: z.number().int().nullable(),
  callsPerSec: z.number().nullable(),
  updatedAt: isoTime.nullable(),
  registration: registrationSummary.nullable().describe('freshest live registration of a dynamic gateway; null when none'),
})

/** The status operation of /v1/routing-gateways. */
export const getRoutingGatewayStatus = defineOperation(
  {
    method: 'get',
    path: '/:id/status',
    operationId: 'getRoutingGatewayStatus',
    summary: 'One routing gateway\'s live state: online (OPTIONS), RTT, loss, current calls and, when dynamic, its registered contact, user agent and expiry',
    params: z.object({ id: entityId }),
    responses: { 200: { description: 'the gateway\'s live state', schema: routingGatewayStatus } },
  },
  async (c, { params }) => {
    const gateway = await findRow(routingGatewaysResource, c.var.db, params.id)
    const [row] = await readGatewayStatus(c.var.db, 'routing', Date.now(), params.id)
    const registration = (await registrationsByGateway(c.var.db, Date.now(), 'routing')).get(params.id) ?? null
    const published = row === undefined ? null : routingGatewayStatusFromRow(row, registration)
    return c.json({
      routingGatewayId: params.id, dynamic: gateway.dynamic,
      online: published?.online ?? null, lastCheckAt: published?.lastCheckAt ?? null, rttMs: published?.rttMs ?? null,
      lossRatio: published?.lossRatio ?? null, lastCode: published?.lastCode ?? null, currentCalls: published?.currentCalls ?? null,
      callsPerSec: published?.callsPerSec ?? null, updatedAt: published?.updatedAt ?? null, registration,
    })
  },
)
