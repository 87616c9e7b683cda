// Path parameter of /v1/parameters/{name} and the 404 for names outside the shared catalogue.
import { z } from 'zod'
import { isParamName, type ParamName } from '../../../shared/params/system-params.js'
import { ApiError } from '../../errors.js'

/** Path parameter `{name}`; unknown names are a 404, not a 400, so it is checked by `requireParamName`. */
export const paramNameParams = z.object({ name: z.string().min(1).max(100).describe('system parameter name, e.g. SS_MAXCALLDURATION') })

/** Narrows a path name to a catalogue parameter or throws 404. */
export function requireParamName(name: string): ParamName {
  if (!isParamName(name)) throw new ApiError('NOT_FOUND', `no system parameter named ${name}`)
  return name
}
