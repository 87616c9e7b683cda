// GET /v1/mapping-gateways/{id}: one mapping gateways by id, 404 when unknown.
import { getOperation } from '../config-resource.js'
import { mappingGatewaysResource } from './resource.js'

/** The get-by-id operation of /v1/mapping-gateways. */
export const getMappingGateway = getOperation(mappingGatewaysResource)
