// GET /v1/routing-gateways: lists routing gateways, oldest first, with keyset pagination (`?limit&cursor` → `{ items, nextCursor }`).
import { listOperation } from '../config-resource.js'
import { routingGatewaysResource } from './resource.js'

/** The list operation of /v1/routing-gateways. */
export const listRoutingGateways = listOperation(routingGatewaysResource)
