// GET /v1/mapping-gateways: lists mapping gateways, oldest first, with keyset pagination (`?limit&cursor` → `{ items, nextCursor }`).
import { listOperation } from '../config-resource.js'
import { mappingGatewaysResource } from './resource.js'

/** The list operation of /v1/mapping-gateways. */
export const listMappingGateways = listOperation(mappingGatewaysResource)
