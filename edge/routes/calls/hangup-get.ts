// GET /v1/calls/{id}/hangup: the latest hang-up request of a call, for callers whose POST returned 202.
import { z } from 'zod'
import { entityId } from '../../../shared/entities/fields.js'
import { callHangup } from '../../../shared/entities/live-call.js'
import { ApiError } from '../../errors.js'
import { defineOperation } from '../../openapi/operation.js'
import { latestHangup } from './hangup.js'

/** The hang-up read operation of /v1/calls. */
export const getHangup = defineOperation(
  {
    method: 'get',
    path: '/:id/hangup',
    operationId: 'getCallHangup',
    summary: 'The latest hang-up request of a call: pending, done or failed',
    params: z.object({ id: entityId }),
    responses: { 200: { description: 'the request as last written by the owning core', schema: callHangup } },
  },
  async (c, { params }) => {
    const h = await latestHangup(c.var.db, params.id, Date.now())
    if (h === undefined) throw new ApiError('NOT_FOUND', `no hang-up was asked for call ${params.id}`)
    return c.json(h)
  },
)
