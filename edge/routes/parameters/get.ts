// GET /v1/parameters/{name}: one system parameter, 404 for an unknown name.
import { parameter, parameterFromRow } from '../../../shared/entities/parameter.js'
import { defineOperation } from '../../openapi/operation.js'
import { readParamRow } from '../../params-store.js'
import { paramNameParams, requireParamName } from './schemas.js'

/** Reads one parameter with its current value. */
export const getParameter = defineOperation(
  {
    method: 'get',
    path: '/:name',
    operationId: 'getParameter',
    summary: 'Get one system parameter',
    params: paramNameParams,
    responses: { 200: { description: 'the parameter', schema: parameter } },
  },
  async (c, { params }) => {
    const name = requireParamName(params.name)
    return c.json(parameterFromRow(name, await readParamRow(c.var.db, name)))
  },
)
