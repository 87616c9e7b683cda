// Sub-app of /v1/routing-gateways: the five configuration operations on routing gateways, bulk import/export, the on-demand network test and the live status.
import { defineResource } from '../../openapi/operation.js'
import { createRoutingGateway } from './create.js'
import { getRoutingGateway } from './get.js'
import { listRoutingGateways } from './list.js'
import { getNetworkTest } from './network-test-get.js'
import { runNetworkTest } from './network-test.js'
import { removeRoutingGateway } from './remove.js'
import { getRoutingGatewayStatus } from './status.js'
import { updateRoutingGateway } from './update.js'
import { exportRoutingGateways } from './export.js'
import { importRoutingGateways } from './import.js'

/** /v1/routing-gateways, mounted by createApp and documented in /openapi.json. */
export const routingGatewaysRoutes = defineResource('/v1/routing-gateways', 'routing-gateways', [listRoutingGateways, exportRoutingGateways, importRoutingGateways, createRoutingGateway, getRoutingGateway, updateRoutingGateway, removeRoutingGateway, runNetworkTest, getNetworkTest, getRoutingGatewayStatus])
