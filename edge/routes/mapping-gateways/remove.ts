// DELETE /v1/mapping-gateways/{id}: deletes and bumps the config version; 204, 404 or 409 while referenced.
import { removeOperation } from '../config-resource.js'
import { mappingGatewaysResource } from './resource.js'

/** The delete operation of /v1/mapping-gateways. */
export const removeMappingGateway = removeOperation(mappingGatewaysResource)
