// GET /v1/alerts/{id}: one alert with its deliveries, 404 when unknown.
import { eq } from 'drizzle-orm'
import { alerts } from '../../../shared/db/schema.js'
import { alertWithDeliveries } from '../../../shared/entities/alert.js'
import { ApiError } from '../../errors.js'
import { defineOperation } from '../../openapi/operation.js'
import { idParams } from '../config-resource.js'
import { withDeliveries } from './read.js'

/** The get-by-id operation of /v1/alerts. */
export const getAlert = defineOperation(
  {
    method: 'get',
    path: '/:id',
    operationId: 'getAlert',
    summary: 'Get one alert with its webhook deliveries',
    params: idParams,
    responses: { 200: { description: 'the alert', schema: alertWithDeliveries } },
  },
  async (c, { params }) => {
    const rows = await c.var.db.select().from(alerts).where(eq(alerts.id, params.id)).limit(1)
    const [item] = await withDeliveries(c.var.db, rows)
    if (item === undefined) throw new ApiError('NOT_FOUND', `no alert with id ${params.id}`)
    return c.json(item)
  },
)
