// Zod schemas, types and row mapping for system parameters as exposed by /v1/parameters.
import { z } from 'zod'
import type { systemParameters } from '../db/tables/system-parameters.js'
import { isoFromMs } from './fields.js'
import { describeParams, paramName, parseParamValue, type ParamDescription, type ParamName } from '../params/system-params.js'

/** Row shapes of the `system_parameters` table. */
export type ParameterRow = typeof systemParameters.$inferSelect
export type ParameterInsert = typeof systemParameters.$inferInsert

/** PUT /v1/parameters/{NAME} body; the value itself is checked with `parseParamValue`. */
export const parameterUpdate = z
  .strictObject({ value: z.unknown().describe('new value; type and bounds per parameter') })
  .refine((b) => b.value !== undefined, { message: 'value is required', path: ['value'] })

/** Parameters are never created through the API: a PUT stores an override, so create and update are one body. */
export const parameterCreate = parameterUpdate

/** Public JSON shape of one parameter. */
export const parameter = z.object({
  name: paramName,
  type: z.enum(['integer', 'boolean', 'string', 'money', 'enum']),
  value: z.unknown().describe('effective value: the stored override, else the default'),
  default: z.unknown(),
  unit: z.string(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  description: z.string(),
  updatedAt: z.string().nullable().describe('when the override was stored; null = default in force'),
})

/** Inferred types of the schemas above. */
export type ParameterUpdate = z.infer<typeof parameterUpdate>
export type ParameterCreate = ParameterUpdate
export type Parameter = z.infer<typeof parameter>

/** Maps a parameter name and its stored row (if any) to the public JSON shape. */
export function parameterFromRow(name: ParamName, row: ParameterRow | undefined): Parameter {
  const overrides = row === undefined ? {} : { [name]: row.value }
  const d = describeParams(overrides).find((p) => p.name === name) as ParamDescription
  return { ...d, updatedAt: row === undefined ? null : isoFromMs(row.updatedAtMs) }
}

/** Validates a PUT value and builds the upsert row, or returns the zod error. */
export function parameterToRow(
  name: ParamName,
  input: ParameterUpdate,
  ctx: { nowMs: number },
): { ok: true; row: ParameterInsert } | { ok: false; error: z.ZodError } {
  const r = parseParamValue(name, input.value)
  return r.success ? { ok: true, row: { name, value: r.data, updatedAtMs: ctx.nowMs } } : { ok: false, error: r.error }
}
