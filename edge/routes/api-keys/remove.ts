// DELETE /v1/api-keys/{id}: revokes a key at once; refuses to delete the last admin key (409) so the API stays reachable.
import { and, eq, ne } from 'drizzle-orm'
import { apiKeys } from '../../../shared/db/schema.js'
import { apiKeyFromRow } from '../../../shared/entities/api-key.js'
import { runWrite } from '../../config-write.js'
import { ApiError } from '../../errors.js'
import { defineOperation } from '../../openapi/operation.js'
import { findRow, idParams } from '../config-resource.js'
import { apiKeysResource } from './resource.js'

/** Deletes a key: 204, 404 unknown id, 409 when it is the last admin key. */
export const removeApiKey = defineOperation(
  {
    method: 'delete',
    path: '/:id',
    operationId: 'deleteApiKey',
    summary: 'Revoke an API key',
    params: idParams,
    responses: { 204: { description: 'revoked' } },
  },
  async (c, { params }) => {
    await runWrite(
      c.var.db,
      async (tx) => {
        const key = await findRow(apiKeysResource, tx, params.id)
        c.var.audit?.record({ before: apiKeyFromRow(key), after: null })
        if (key.role === 'admin') {
          const others = await tx
            .select({ id: apiKeys.id })
            .from(apiKeys)
            .where(and(eq(apiKeys.role, 'admin'), ne(apiKeys.id, params.id)))
            .limit(1)
          if (others.length === 0) throw new ApiError('CONFLICT', 'refusing to delete the last admin API key')
        }
        await tx.delete(apiKeys).where(eq(apiKeys.id, params.id))
      },
      { configChange: false, audit: c.var.audit },
    )
    return c.body(null, 204)
  },
)
