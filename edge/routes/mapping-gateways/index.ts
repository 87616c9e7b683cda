// Sub-app of /v1/mapping-gateways: the five configuration operations on mapping gateways and their bulk import/export.
import { defineResource } from '../../openapi/operation.js'
import { createMappingGateway } from './create.js'
import { getMappingGateway } from './get.js'
import { listMappingGateways } from './list.js'
import { removeMappingGateway } from './remove.js'
import { updateMappingGateway } from './update.js'
import { exportMappingGateways } from './export.js'
import { importMappingGateways } from './import.js'

/** /v1/mapping-gateways, mounted by createApp and documented in /openapi.json. */
export const mappingGatewaysRoutes = defineResource('/v1/mapping-gateways', 'mapping-gateways', [listMappingGateways, exportMappingGateways, importMappingGateways, createMappingGateway, getMappingGateway, updateMappingGateway, removeMappingGateway])
