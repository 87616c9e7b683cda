// POST /v1/rate-tables/{id}/rates: adds one rate and bumps the config version; 201, 400, 404 for an unknown table, 409 for a duplicate.
import { rates } from '../../../shared/db/schema.js'
import { rate, rateCreate, rateFromRow, rateToRow } from '../../../shared/entities/rate.js'
import { runWrite } from '../../config-write.js'
import { newId } from '../../ids.js'
import { defineOperation } from '../../openapi/operation.js'
import { idParams } from '../config-resource.js'
import { duplicateRate, findRateRow, requireRateTable } from './rate-lookup.js'

/** The create operation of /v1/rate-tables/{id}/rates. */
export const createRate = defineOperation(
  {
    method: 'post',
    path: '/:id/rates',
    operationId: 'createRate',
    summary: 'Add a rate (prefix, price per minute, increments, effectiveFrom) to a rate table',
    params: idParams,
    body: rateCreate,
    responses: { 201: { description: 'the created rate', schema: rate } },
  },
  async (c, { params, body }) => {
    const created = await runWrite(
      c.var.db,
      async (tx, nowMs) => {
        await requireRateTable(tx, params.id)
        const row = rateToRow(body, { id: newId('rte', nowMs), rateTableId: params.id })
        await tx.insert(rates).values(row)
        return findRateRow(tx, params.id, row.id)
      },
      { configChange: true, onUnique: duplicateRate },
    )
    return c.json(rateFromRow(created), 201)
  },
)
