// PATCH /v1/rate-tables/{id}/rates/{rateId}: changes some fields of a rate and bumps the config version; 200, 400, 404 or 409.
import { and, eq } from 'drizzle-orm'
import { rates } from '../../../shared/db/schema.js'
import { rate, rateFromRow, rateUpdate, rateUpdateToRow } from '../../../shared/entities/rate.js'
import { runWrite } from '../../config-write.js'
import { defineOperation } from '../../openapi/operation.js'
import { duplicateRate, findRateRow, rateParams } from './rate-lookup.js'

/** The update operation of /v1/rate-tables/{id}/rates. */
export const updateRate = defineOperation(
  {
    method: 'patch',
    path: '/:id/rates/:rateId',
    operationId: 'updateRate',
    summary: 'Change some fields of a rate',
    params: rateParams,
    body: rateUpdate,
    responses: { 200: { description: 'the updated rate', schema: rate } },
  },
  async (c, { params, body }) => {
    const updated = await runWrite(
      c.var.db,
      async (tx) => {
        const before = await findRateRow(tx, params.id, params.rateId)
        await tx.update(rates).set(rateUpdateToRow(body)).where(and(eq(rates.rateTableId, params.id), eq(rates.id, params.rateId)))
        const after = await findRateRow(tx, params.id, params.rateId)
        c.var.audit?.record({ resourceId: params.id, before: rateFromRow(before), after: rateFromRow(after) })
        return after
      },
      { configChange: true, onUnique: duplicateRate, audit: c.var.audit },
    )
    return c.json(rateFromRow(updated))
  },
)
