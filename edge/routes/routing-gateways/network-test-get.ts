// GET /v1/routing-gateways/{id}/network-tests/{testId}: a network test's state and result, for callers whose POST returned 202.
import { z } from 'zod'
import { entityId } from '../../../shared/entities/fields.js'
import { networkTest } from '../../../shared/entities/network-test.js'
import { ApiError } from '../../errors.js'
import { defineOperation } from '../../openapi/operation.js'
import { readNetworkTest } from './network-test.js'

/** The network-test read operation of /v1/routing-gateways. */
export const getNetworkTest = defineOperation(
  {
    method: 'get',
    path: '/:id/network-tests/:testId',
    operationId: 'getRoutingGatewayNetworkTest',
    summary: 'One network test of a routing gateway: pending, running, done (with RTT and loss) or failed',
    params: z.object({ id: entityId, testId: entityId }),
    responses: { 200: { description: 'the test as last written by the core', schema: networkTest } },
  },
  async (c, { params }) => {
    const t = await readNetworkTest(c.var.db, params.testId)
    if (t === undefined || t.routingGatewayId !== params.id) throw new ApiError('NOT_FOUND', `no network test ${params.testId} of routing gateway ${params.id}`)
    return c.json(t)
  },
)
