// GET /v1/api-keys: lists operator keys (id, name, role, prefix, createdAt), oldest first, keyset-paginated.
import { listOperation } from '../config-resource.js'
import { apiKeysResource } from './resource.js'

/** The list operation of /v1/api-keys. */
export const listApiKeys = listOperation(apiKeysResource)
