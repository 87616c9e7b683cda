// GET /v1/registrations: the contacts dynamic gateways have registered (RFC 3261 §10), with user agent, source and expiry.
import { z } from 'zod'
import { GATEWAY_KINDS } from '../../../shared/entities/enums.js'
import { entityId } from '../../../shared/entities/fields.js'
import { registration, registrationFromRow } from '../../../shared/entities/registration.js'
import { defineOperation } from '../../openapi/operation.js'
import { readRegistrations } from '../../live/registrations.js'

/** The list operation of /v1/registrations. */
export const listRegistrations = defineOperation(
  {
    method: 'get',
    path: '/',
    operationId: 'listRegistrations',
    summary: 'Registered contacts of dynamic mapping and routing gateways that have not expired',
    query: z.object({
      kind: z.enum(GATEWAY_KINDS).optional().describe('only mapping or only routing gateways'),
      gatewayId: entityId.optional().describe('only this gateway'),
    }),
    responses: { 200: { description: 'live bindings by gateway', schema: z.object({ items: z.array(registration) }) } },
  },
  async (c, { query }) => {
    const rows = await readRegistrations(c.var.db, Date.now(), {
      ...(query.kind === undefined ? {} : { kind: query.kind }),
      ...(query.gatewayId === undefined ? {} : { gatewayId: query.gatewayId }),
    })
    return c.json({ items: rows.map(registrationFromRow) })
  },
)
