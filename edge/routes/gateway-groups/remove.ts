// DELETE /v1/gateway-groups/{id}: deletes and bumps the config version; 204, 404 or 409 while referenced.
import { removeOperation } from '../config-resource.js'
import { gatewayGroupsResource } from './resource.js'

/** The delete operation of /v1/gateway-groups. */
export const removeGatewayGroup = removeOperation(gatewayGroupsResource)
