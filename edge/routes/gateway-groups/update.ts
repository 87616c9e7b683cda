// PATCH /v1/gateway-groups/{id}: merges the given fields, validates, bumps the config version; 200, 400, 404 or 409.
import { updateOperation } from '../config-resource.js'
import { gatewayGroupsResource } from './resource.js'

/** The update operation of /v1/gateway-groups. */
export const updateGatewayGroup = updateOperation(gatewayGroupsResource)
