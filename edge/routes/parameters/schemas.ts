// Zod shapes of /v1/parameters: the path name, the PUT body and the described parameter returned by every operation.
import { z } from 'zod'
import { isParamName, paramName, type ParamName } from '../../../shared/params/system-params.js'
import { ApiError } from '../../errors.js'

/** Path parameter `{name}`; unknown names are a 404, not a 400, so it is checked by `requireParamName`. */
export const paramNameParams = z.object({ name: z.string().min(1).max(100).describe('system parameter name, e.g. SS_MAXCALLDURATION') })

/** PUT body: the new value, checked against the parameter's own schema. */
export const paramPutBody = z.strictObject({ value: z.unknown().describe('new value; type and bounds per parameter') })

/** One parameter as listed: effective value plus default, unit, bounds and meaning. */
export const paramDescription = z.object({
  name: paramName,
  type: z.enum(['integer', 'boolean', 'string', 'money', 'enum']),
  value: z.unknown().describe('current value (the stored override, else the default)'),
  default: z.unknown(),
  unit: z.string(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  description: z.string(),
})

/** Narrows a path name to a catalogue parameter or throws 404. */
export function requireParamName(name: string): ParamName {
  if (!isParamName(name)) throw new ApiError('NOT_FOUND', `no system parameter named ${name}`)
  return name
}
