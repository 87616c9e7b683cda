// GET /v1/rate-tables/{id}/rates/{rateId}: one rate of a table; 404 when either is unknown.
import { rate, rateFromRow } from '../../../shared/entities/rate.js'
import { defineOperation } from '../../openapi/operation.js'
import { findRateRow, rateParams } from './rate-lookup.js'

/** The get-by-id operation of /v1/rate-tables/{id}/rates. */
export const getRate = defineOperation(
  {
    method: 'get',
    path: '/:id/rates/:rateId',
    operationId: 'getRate',
    summary: 'Get one rate of a rate table',
    params: rateParams,
    responses: { 200: { description: 'the rate', schema: rate } },
  },
  async (c, { params }) => c.json(rateFromRow(await findRateRow(c.var.db, params.id, params.rateId))),
)
