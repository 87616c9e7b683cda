// GET /v1/gateway-groups: lists gateway groups, oldest first, with keyset pagination (`?limit&cursor` → `{ items, nextCursor }`).
import { listOperation } from '../config-resource.js'
import { gatewayGroupsResource } from './resource.js'

/** The list operation of /v1/gateway-groups. */
export const listGatewayGroups = listOperation(gatewayGroupsResource)
