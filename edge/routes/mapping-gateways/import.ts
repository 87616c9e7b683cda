// POST /v1/mapping-gateways/import: mapping gateways from JSON or CSV, all valid or nothing written.
import { importOperation } from '../bulk-operations.js'
import { mappingGatewaysResource } from './resource.js'

/** The bulk import operation of /v1/mapping-gateways. */
export const importMappingGateways = importOperation(mappingGatewaysResource, 'MappingGateways')
