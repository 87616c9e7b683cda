// POST /v1/routing-gateways: validates with the shared create schema, inserts, bumps the config version; 201, 400 or 409.
import { createOperation } from '../config-resource.js'
import { routingGatewaysResource } from './resource.js'

/** The create operation of /v1/routing-gateways. */
export const createRoutingGateway = createOperation(routingGatewaysResource)
