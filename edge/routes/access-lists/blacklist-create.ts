// POST /v1/blacklist: an operator bans an address or CIDR block, permanently or until a time; cores pick it up with the config version.
import { ipAccessList } from '../../../shared/db/schema.js'
import { blacklistCreate, blacklistEntry, blacklistEntryFromRow, blacklistToRow } from '../../../shared/entities/access-list.js'
import { runWrite } from '../../config-write.js'
import { newId } from '../../ids.js'
import { defineOperation } from '../../openapi/operation.js'
import { alreadyListed } from './entries.js'

/** Adds a blacklist entry: 201, 400 for a bad block or both end times, 409 when the block is listed. */
export const createBlacklistEntry = defineOperation(
  {
    method: 'post',
    path: '/',
    operationId: 'createBlacklistEntry',
    summary: 'Ban an IP address or CIDR block: permanent, or for durationSec / until expiresAt (requests from it get silence, or one 403 with SS_BLACKLIST_REPLY)',
    body: blacklistCreate,
    responses: { 201: { description: 'the entry', schema: blacklistEntry } },
  },
  async (c, { body }) => {
    const row = await runWrite(
      c.var.db,
      async (tx, nowMs) => {
        const values = blacklistToRow(body, { id: newId('bl', nowMs), nowMs })
        await tx.insert(ipAccessList).values(values)
        c.var.audit?.record({ resourceId: values.id, after: blacklistEntryFromRow(values, nowMs) })
        return values
      },
      { configChange: true, audit: c.var.audit, onUnique: alreadyListed('blacklist', body.cidr) },
    )
    return c.json(blacklistEntryFromRow(row, Date.now()), 201)
  },
)
