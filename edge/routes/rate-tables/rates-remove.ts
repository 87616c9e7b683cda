// DELETE /v1/rate-tables/{id}/rates/{rateId}: removes one rate and bumps the config version; 204 or 404.
import { and, eq } from 'drizzle-orm'
import { rates } from '../../../shared/db/schema.js'
import { rateFromRow } from '../../../shared/entities/rate.js'
import { runWrite } from '../../config-write.js'
import { defineOperation } from '../../openapi/operation.js'
import { findRateRow, rateParams } from './rate-lookup.js'

/** The delete operation of /v1/rate-tables/{id}/rates. */
export const removeRate = defineOperation(
  {
    method: 'delete',
    path: '/:id/rates/:rateId',
    operationId: 'deleteRate',
    summary: 'Delete one rate of a rate table',
    params: rateParams,
    responses: { 204: { description: 'deleted' } },
  },
  async (c, { params }) => {
    await runWrite(
      c.var.db,
      async (tx) => {
        const before = await findRateRow(tx, params.id, params.rateId)
        await tx.delete(rates).where(and(eq(rates.rateTableId, params.id), eq(rates.id, params.rateId)))
        c.var.audit?.record({ resourceId: params.id, before: rateFromRow(before), after: null })
      },
      { configChange: true, audit: c.var.audit },
    )
    return c.body(null, 204)
  },
)
