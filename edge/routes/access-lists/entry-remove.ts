// DELETE /v1/blacklist/{id} and /v1/whitelist/{id}: the entry goes, and the cores drop it (an automatic ban is lifted at once).
import { eq } from 'drizzle-orm'
import { ipAccessList } from '../../../shared/db/schema.js'
import { blacklistEntryFromRow, whitelistEntryFromRow } from '../../../shared/entities/access-list.js'
import { runWrite } from '../../config-write.js'
import { defineOperation, type Operation } from '../../openapi/operation.js'
import { idParams } from '../config-resource.js'
import { findEntry, type AccessListName } from './entries.js'

/** The delete operation of one list: 204, or 404 when unknown. */
export function removeEntryOperation(list: AccessListName): Operation {
  const Name = list === 'blacklist' ? 'Blacklist' : 'Whitelist'
  return defineOperation(
    {
      method: 'delete',
      path: '/:id',
      operationId: `delete${Name}Entry`,
      summary: list === 'blacklist' ? 'Remove a blacklist entry (lifts an automatic ban and forgets its count)' : 'Remove a whitelist entry',
      params: idParams,
      responses: { 204: { description: 'removed' } },
    },
    async (c, { params }) => {
      await runWrite(
        c.var.db,
        async (tx, nowMs) => {
          const row = await findEntry(tx, list, params.id)
          c.var.audit?.record({ before: list === 'blacklist' ? blacklistEntryFromRow(row, nowMs) : whitelistEntryFromRow(row), after: null })
          await tx.delete(ipAccessList).where(eq(ipAccessList.id, params.id))
        },
        { configChange: true, audit: c.var.audit },
      )
      return c.body(null, 204)
    },
  )
}
