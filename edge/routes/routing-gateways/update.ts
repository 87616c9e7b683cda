// PATCH /v1/routing-gateways/{id}: merges the given fields, validates, bumps the config version; 200, 400, 404 or 409.
import { updateOperation } from '../config-resource.js'
import { routingGatewaysResource } from './resource.js'

/** The update operation of /v1/routing-gateways. */
export const updateRoutingGateway = updateOperation(routingGatewaysResource)
