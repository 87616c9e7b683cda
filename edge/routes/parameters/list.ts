// GET /v1/parameters: every system parameter with its value, default, unit, bounds and description.
import { z } from 'zod'
import { describeParams } from '../../../shared/params/system-params.js'
import { defineOperation } from '../../openapi/operation.js'
import { readStoredParams } from '../../params-store.js'
import { paramDescription } from './schemas.js'

/** Lists the whole catalogue (never paginated: it is a fixed, small set). */
export const listParameters = defineOperation(
  {
    method: 'get',
    path: '/',
    operationId: 'listParameters',
    summary: 'List every system parameter',
    responses: { 200: { description: 'the catalogue with current values', schema: z.object({ items: z.array(paramDescription) }) } },
  },
  async (c) => c.json({ items: describeParams(await readStoredParams(c.var.db)) }),
)
