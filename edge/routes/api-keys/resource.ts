// Descriptor of /v1/api-keys for the shared list/get operations; create and delete have their own files.
import { apiKeys } from '../../../shared/db/schema.js'
import { apiKey, apiKeyFromRow, type ApiKey } from '../../../shared/entities/api-key.js'
import type { ReadableResource } from '../config-resource.js'

/** Operator API keys as listed: never the secret or its hash. */
export const apiKeysResource: ReadableResource<typeof apiKeys, ApiKey> = {
  table: apiKeys,
  noun: 'API key',
  typeName: 'ApiKey',
  schemas: { entity: apiKey },
  fromRow: apiKeyFromRow,
}
