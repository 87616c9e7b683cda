// Sub-app of /v1/parameters: list, read and set the system parameters of the shared catalogue.
import { defineResource } from '../../openapi/operation.js'
import { getParameter } from './get.js'
import { listParameters } from './list.js'
import { putParameter } from './put.js'

/** /v1/parameters, mounted by createApp and documented in /openapi.json. */
export const parametersRoutes = defineResource('/v1/parameters', 'parameters', [listParameters, getParameter, putParameter])
