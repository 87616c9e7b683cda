// POST /v1/routing-gateways/import: routing gateways from JSON or CSV, all valid or nothing written.
import { importOperation } from '../bulk-operations.js'
import { routingGatewaysResource } from './resource.js'

/** The bulk import operation of /v1/routing-gateways. */
export const importRoutingGateways = importOperation(routingGatewaysResource, 'RoutingGateways')
