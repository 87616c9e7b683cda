// Sub-app of /v1/status: live state published by the core nodes.
import { defineResource } from '../../openapi/operation.js'
import { getGatewayStatus } from './gateways.js'
import { getMappingGatewayStatus } from './mapping-gateways.js'

/** /v1/status, mounted by createApp and documented in /openapi.json. */
export const statusRoutes = defineResource('/v1/status', 'status', [getGatewayStatus, getMappingGatewayStatus])
