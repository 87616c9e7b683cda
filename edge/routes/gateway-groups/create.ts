// POST /v1/gateway-groups: validates with the shared create schema, inserts, bumps the config version; 201, 400 or 409.
import { createOperation } from '../config-resource.js'
import { gatewayGroupsResource } from './resource.js'

/** The create operation of /v1/gateway-groups. */
export const createGatewayGroup = createOperation(gatewayGroupsResource)
