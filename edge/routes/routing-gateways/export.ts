// GET /v1/routing-gateways/export: every one of the routing gateways as JSON or CSV that the import reads back.
import { exportOperation } from '../bulk-operations.js'
import { routingGatewaysResource } from './resource.js'

/** The bulk export operation of /v1/routing-gateways. */
export const exportRoutingGateways = exportOperation(routingGatewaysResource, 'RoutingGateways')
