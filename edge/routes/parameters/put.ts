// PUT /v1/parameters/{name}: sets a value validated by the shared schema (and cross-parameter rules); bumps the config version.
import { z } from 'zod'
import { parameter, parameterFromRow, parameterUpdate } from '../../../shared/entities/parameter.js'
import { paramsConsistencyIssues, resolveParams, SYSTEM_PARAMS } from '../../../shared/params/system-params.js'
import { runConfigWrite } from '../../config-write.js'
import { badRequest } from '../../errors.js'
import { defineOperation } from '../../openapi/operation.js'
import { readParamRow, readStoredParams, writeParamRow } from '../../params-store.js'
import { paramNameParams, requireParamName } from './schemas.js'

/** Stores a new value; 400 with zod issues under `value` when it breaks the parameter's type, bounds or a cross rule. */
export const putParameter = defineOperation(
  {
    method: 'put',
    path: '/:name',
    operationId: 'putParameter',
    summary: 'Set one system parameter',
    params: paramNameParams,
    body: parameterUpdate,
    responses: { 200: { description: 'the parameter with its new value', schema: parameter } },
  },
  async (c, { params, body }) => {
    const name = requireParamName(params.name)
    // Parsed inside `{ value }` so zod's issue paths start at `value`.
    const { value } = z.object({ value: SYSTEM_PARAMS[name].schema as z.ZodType }).parse(body)
    const row = await runConfigWrite(c.var.db, async (tx, nowMs) => {
      const current = await readStoredParams(tx)
      const effective = { ...resolveParams(current).params, [name]: value }
      const broken = paramsConsistencyIssues(effective).filter((i) => i.path === name || i.related === name)
      if (broken.length > 0) {
        throw badRequest(
          `${name} conflicts with another parameter`,
          broken.map((i) => ({ path: 'value', message: `${i.path}: ${i.message}` })),
        )
      }
      const next = { name, value, updatedAtMs: nowMs }
      const before = parameterFromRow(name, await readParamRow(tx, name))
      await writeParamRow(tx, next)
      c.var.audit?.record({ resourceId: name, before, after: parameterFromRow(name, next) })
      return next
    }, undefined, c.var.audit)
    return c.json(parameterFromRow(name, row))
  },
)
