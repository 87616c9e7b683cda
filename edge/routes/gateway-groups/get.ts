// GET /v1/gateway-groups/{id}: one gateway groups by id, 404 when unknown.
import { getOperation } from '../config-resource.js'
import { gatewayGroupsResource } from './resource.js'

/** The get-by-id operation of /v1/gateway-groups. */
export const getGatewayGroup = getOperation(gatewayGroupsResource)
