// GET /v1/parameters/{name}: one system parameter, 404 for an unknown name.
import { describeParams } from '../../../shared/params/system-params.js'
import { ApiError } from '../../errors.js'
import { defineOperation } from '../../openapi/operation.js'
import { readStoredParams } from '../../params-store.js'
import { paramDescription, paramNameParams, requireParamName } from './schemas.js'

/** Reads one parameter with its current value. */
export const getParameter = defineOperation(
  {
    method: 'get',
    path: '/:name',
    operationId: 'getParameter',
    summary: 'Get one system parameter',
    params: paramNameParams,
    responses: { 200: { description: 'the parameter', schema: paramDescription } },
  },
  async (c, { params }) => {
    const name = requireParamName(params.name)
    const item = describeParams(await readStoredParams(c.var.db)).find((p) => p.name === name)
    if (item === undefined) throw new ApiError('INTERNAL', `parameter ${name} missing from the catalogue description`)
    return c.json(item)
  },
)
