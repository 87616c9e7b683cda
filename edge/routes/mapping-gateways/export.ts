// GET /v1/mapping-gateways/export: every one of the mapping gateways as JSON or CSV that the import reads back.
import { exportOperation } from '../bulk-operations.js'
import { mappingGatewaysResource } from './resource.js'

/** The bulk export operation of /v1/mapping-gateways. */
export const exportMappingGateways = exportOperation(mappingGatewaysResource, 'MappingGateways')
