// PATCH /v1/mapping-gateways/{id}: merges the given fields, validates, bumps the config version; 200, 400, 404 or 409.
import { updateOperation } from '../config-resource.js'
import { mappingGatewaysResource } from './resource.js'

/** The update operation of /v1/mapping-gateways. */
export const updateMappingGateway = updateOperation(mappingGatewaysResource)
