// GET /v1/cdrs/{id}: one CDR with its attempts, 404 when unknown.
import { eq } from 'drizzle-orm'
import { cdrs } from '../../../shared/db/schema.js'
import { cdr, cdrFromRow } from '../../../shared/entities/cdr.js'
import { ApiError } from '../../errors.js'
import { defineOperation } from '../../openapi/operation.js'
import { idParams } from '../config-resource.js'

/** The get-by-id operation of /v1/cdrs. */
export const getCdr = defineOperation(
  {
    method: 'get',
    path: '/:id',
    operationId: 'getCdr',
    summary: 'Get one CDR with every routing attempt',
    params: idParams,
    responses: { 200: { description: 'the CDR', schema: cdr } },
  },
  async (c, { params }) => {
    const rows = await c.var.db.select().from(cdrs).where(eq(cdrs.id, params.id)).limit(1)
    const row = rows[0]
    if (row === undefined) throw new ApiError('NOT_FOUND', `no CDR with id ${params.id}`)
    return c.json(cdrFromRow(row))
  },
)
