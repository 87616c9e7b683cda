// GET /v1/routing-gateways/{id}: one routing gateways by id, 404 when unknown.
import { getOperation } from '../config-resource.js'
import { routingGatewaysResource } from './resource.js'

/** The get-by-id operation of /v1/routing-gateways. */
export const getRoutingGateway = getOperation(routingGatewaysResource)
