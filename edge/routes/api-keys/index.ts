// Sub-app of /v1/api-keys: list, create (secret shown once), read and revoke operator keys.
import { defineResource } from '../../openapi/operation.js'
import { createApiKey } from './create.js'
import { getApiKey } from './get.js'
import { listApiKeys } from './list.js'
import { removeApiKey } from './remove.js'

/** /v1/api-keys, mounted by createApp and documented in /openapi.json. */
export const apiKeysRoutes = defineResource('/v1/api-keys', 'api-keys', [listApiKeys, createApiKey, getApiKey, removeApiKey])
