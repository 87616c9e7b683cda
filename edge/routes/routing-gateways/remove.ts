// DELETE /v1/routing-gateways/{id}: deletes and bumps the config version; 204, 404 or 409 while referenced.
import { removeOperation } from '../config-resource.js'
import { routingGatewaysResource } from './resource.js'

/** The delete operation of /v1/routing-gateways. */
export const removeRoutingGateway = removeOperation(routingGatewaysResource)
