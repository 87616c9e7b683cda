// GET /v1/blacklist/{id} and /v1/whitelist/{id}: one entry, 404 when unknown.
import { blacklistEntry, blacklistEntryFromRow, whitelistEntry, whitelistEntryFromRow } from '../../../shared/entities/access-list.js'
import { defineOperation, type Operation } from '../../openapi/operation.js'
import { idParams } from '../config-resource.js'
import { findEntry, type AccessListName } from './entries.js'

/** The get operation of one list. */
export function getEntryOperation(list: AccessListName): Operation {
  const Name = list === 'blacklist' ? 'Blacklist' : 'Whitelist'
  return defineOperation(
    {
      method: 'get',
      path: '/:id',
      operationId: `get${Name}Entry`,
      summary: `Get one ${list} entry`,
      params: idParams,
      responses: { 200: { description: 'the entry', schema: list === 'blacklist' ? blacklistEntry : whitelistEntry } },
    },
    async (c, { params }) => {
      const row = await findEntry(c.var.db, list, params.id)
      return c.json(list === 'blacklist' ? blacklistEntryFromRow(row, Date.now()) : whitelistEntryFromRow(row))
    },
  )
}
