// POST /v1/mapping-gateways: validates with the shared create schema, inserts, bumps the config version; 201, 400 or 409.
import { createOperation } from '../config-resource.js'
import { mappingGatewaysResource } from './resource.js'

/** The create operation of /v1/mapping-gateways. */
export const createMappingGateway = createOperation(mappingGatewaysResource)
