// GET /v1/calls: every call in progress on every live core node (from what the nodes publish to the database), newest first.
import { z } from 'zod'
import { CALL_STATES } from '../../../shared/entities/enums.js'
import { entityId } from '../../../shared/entities/fields.js'
import { coreNode, liveCall } from '../../../shared/entities/live-call.js'
import { readLiveCalls } from '../../live/calls.js'
import { defineOperation } from '../../openapi/operation.js'

/** Query of GET /v1/calls. */
export const liveCallsQuery = z.object({
  nodeId: z.string().min(1).max(128).optional().describe('calls of one core node'),
  gatewayId: entityId.optional().describe('either side: mapping or routing gateway'),
  mappingGatewayId: entityId.optional(),
  routingGatewayId: entityId.optional(),
  accountId: entityId.optional(),
  state: z.enum(CALL_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500).describe('most calls returned; total counts them all'),
})

/** The list operation of /v1/calls. */
export const listLiveCalls = defineOperation(
  {
    method: 'get',
    path: '/',
    operationId: 'listCalls',
    summary: 'Calls in progress across every core node (as published every STATUS_PUBLISH_MS); nodes silent for 3 periods are left out',
    query: liveCallsQuery,
    responses: {
      200: {
        description: 'the calls, how many matched, and every node with its last publish',
        schema: z.object({ items: z.array(liveCall), total: z.number().int(), nodes: z.array(coreNode) }),
      },
    },
  },
  async (c, { query }) => {
    const { limit, ...filters } = query
    return c.json(await readLiveCalls(c.var.db, filters, limit, Date.now()))
  },
)
