// Sub-app of /v1/registrations: what the core's registrar holds for dynamic gateways.
import { defineResource } from '../../openapi/operation.js'
import { listRegistrations } from './list.js'

/** /v1/registrations, mounted by createApp and documented in /openapi.json. */
export const registrationsRoutes = defineResource('/v1/registrations', 'registrations', [listRegistrations])
