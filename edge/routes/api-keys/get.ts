// GET /v1/api-keys/{id}: one operator key without its secret, 404 when unknown.
import { getOperation } from '../config-resource.js'
import { apiKeysResource } from './resource.js'

/** The get-by-id operation of /v1/api-keys. */
export const getApiKey = getOperation(apiKeysResource)
