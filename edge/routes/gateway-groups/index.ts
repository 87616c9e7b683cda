// Sub-app of /v1/gateway-groups: the five configuration operations on gateway groups.
import { defineResource } from '../../openapi/operation.js'
import { createGatewayGroup } from './create.js'
import { getGatewayGroup } from './get.js'
import { listGatewayGroups } from './list.js'
import { removeGatewayGroup } from './remove.js'
import { updateGatewayGroup } from './update.js'

/** /v1/gateway-groups, mounted by createApp and documented in /openapi.json. */
export const gatewayGroupsRoutes = defineResource('/v1/gateway-groups', 'gateway-groups', [listGatewayGroups, createGatewayGroup, getGatewayGroup, updateGatewayGroup, removeGatewayGroup])
