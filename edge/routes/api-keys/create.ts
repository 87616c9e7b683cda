// POST /v1/api-keys: creates a key and returns its secret this once; only the SHA-256 is stored.
import { apiKeys } from '../../../shared/db/schema.js'
import { apiKeyCreate, apiKeyCreated, apiKeyFromRow, apiKeyToRow } from '../../../shared/entities/api-key.js'
import { generateApiKeySecret } from '../../auth/api-key-secret.js'
import { runWrite } from '../../config-write.js'
import { newId } from '../../ids.js'
import { defineOperation } from '../../openapi/operation.js'

/** Creates an admin or viewer key; 409 for a duplicate name. Keys are not core config, so no config-version bump. */
export const createApiKey = defineOperation(
  {
    method: 'post',
    path: '/',
    operationId: 'createApiKey',
    summary: 'Create an API key (the secret is returned only in this response)',
    body: apiKeyCreate,
    responses: { 201: { description: 'the key and its secret', schema: apiKeyCreated } },
  },
  async (c, { body }) => {
    const secret = generateApiKeySecret()
    const row = await runWrite(
      c.var.db,
      async (tx, nowMs) => {
        const values = apiKeyToRow(body, { id: newId('key', nowMs), nowMs, secret })
        await tx.insert(apiKeys).values(values)
        return values
      },
      { configChange: false, onUnique: () => `an API key named ${JSON.stringify(body.name)} already exists` },
    )
    return c.json({ ...apiKeyFromRow(row), secret }, 201)
  },
)
