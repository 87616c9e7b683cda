// GET /v1/calls/{id}: one call in progress, or 404 once it ended (its CDR then has the same id).
import { z } from 'zod'
import { entityId } from '../../../shared/entities/fields.js'
import { liveCall } from '../../../shared/entities/live-call.js'
import { ApiError } from '../../errors.js'
import { readLiveCall } from '../../live/calls.js'
import { defineOperation } from '../../openapi/operation.js'

/** The read operation of /v1/calls. */
export const getLiveCall = defineOperation(
  {
    method: 'get',
    path: '/:id',
    operationId: 'getCall',
    summary: 'One call in progress; 404 when it is not (any longer) in progress: GET /v1/cdrs/{id} then has its record',
    params: z.object({ id: entityId }),
    responses: { 200: { description: 'the call', schema: liveCall } },
  },
  async (c, { params }) => {
    const call = await readLiveCall(c.var.db, params.id, Date.now())
    if (call === null) throw new ApiError('NOT_FOUND', `no call in progress with id ${params.id}`)
    return c.json(call)
  },
)
