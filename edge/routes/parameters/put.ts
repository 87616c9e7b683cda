// PUT /v1/parameters/{name}: sets a value validated by the shared schema (and cross-parameter rules); bumps the config version.
import { z } from 'zod'
import {
  describeParams, paramsConsistencyIssues, resolveParams, SYSTEM_PARAMS,
} from '../../../shared/params/system-params.js'
import { runConfigWrite } from '../../config-write.js'
import { ApiError, badRequest } from '../../errors.js'
import { defineOperation } from '../../openapi/operation.js'
import { readStoredParams, writeParam } from '../../params-store.js'
import { paramDescription, paramNameParams, paramPutBody, requireParamName } from './schemas.js'

/** Stores a new value; 400 with zod issues under `value` when it breaks the parameter's type or bounds. */
export const putParameter = defineOperation(
  {
    method: 'put',
    path: '/:name',
    operationId: 'putParameter',
    summary: 'Set one system parameter',
    params: paramNameParams,
    body: paramPutBody,
    responses: { 200: { description: 'the parameter with its new value', schema: paramDescription } },
  },
  async (c, { params, body }) => {
    const name = requireParamName(params.name)
    // Parsed inside `{ value }` so zod's issue paths start at `value`.
    const { value } = z.object({ value: SYSTEM_PARAMS[name].schema as z.ZodType }).parse(body)
    const stored = await runConfigWrite(c.var.db, async (tx, nowMs) => {
      const current = await readStoredParams(tx)
      const next = { ...current, [name]: value }
      const effective = { ...resolveParams(current).params, [name]: value }
      const broken = paramsConsistencyIssues(effective).filter((i) => i.path === name || i.related === name)
      if (broken.length > 0) {
        throw badRequest(`${name} conflicts with another parameter`, broken.map((i) => ({ path: 'value', message: `${i.path}: ${i.message}` })))
      }
      await writeParam(tx, name, value, nowMs)
      return next
    })
    const item = describeParams(stored).find((p) => p.name === name)
    if (item === undefined) throw new ApiError('INTERNAL', `parameter ${name} missing from the catalogue description`)
    return c.json(item)
  },
)
