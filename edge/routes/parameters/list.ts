// GET /v1/parameters: every system parameter with its value, default, unit, bounds and description.
import { z } from 'zod'
import { parameter, parameterFromRow } from '../../../shared/entities/parameter.js'
import { PARAM_NAMES } from '../../../shared/params/system-params.js'
import { defineOperation } from '../../openapi/operation.js'
import { readParamRows } from '../../params-store.js'

/** Lists the whole catalogue (never paginated: it is a fixed, small set). */
export const listParameters = defineOperation(
  {
    method: 'get',
    path: '/',
    operationId: 'listParameters',
    summary: 'List every system parameter',
    responses: { 200: { description: 'the catalogue with current values', schema: z.object({ items: z.array(parameter) }) } },
  },
  async (c) => {
    const rows = await readParamRows(c.var.db)
    return c.json({ items: PARAM_NAMES.map((name) => parameterFromRow(name, rows.get(name))) })
  },
)
