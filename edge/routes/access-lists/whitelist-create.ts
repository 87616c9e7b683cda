// POST /v1/whitelist: an address or CIDR block the cores never ban, rate-limit or blacklist.
import { ipAccessList } from '../../../shared/db/schema.js'
import { whitelistCreate, whitelistEntry, whitelistEntryFromRow, whitelistToRow } from '../../../shared/entities/access-list.js'
import { runWrite } from '../../config-write.js'
import { newId } from '../../ids.js'
import { defineOperation } from '../../openapi/operation.js'
import { alreadyListed } from './entries.js'

/** Adds a whitelist entry: 201, 400 for a bad block, 409 when the block is listed. */
export const createWhitelistEntry = defineOperation(
  {
    method: 'post',
    path: '/',
    operationId: 'createWhitelistEntry',
    summary: 'Whitelist an IP address or CIDR block: never banned, rate-limited (pike) or blacklisted; authentication still applies',
    body: whitelistCreate,
    responses: { 201: { description: 'the entry', schema: whitelistEntry } },
  },
  async (c, { body }) => {
    const row = await runWrite(
      c.var.db,
      async (tx, nowMs) => {
        const values = whitelistToRow(body, { id: newId('wl', nowMs), nowMs })
        await tx.insert(ipAccessList).values(values)
        c.var.audit?.record({ resourceId: values.id, after: whitelistEntryFromRow(values) })
        return values
      },
      { configChange: true, audit: c.var.audit, onUnique: alreadyListed('whitelist', body.cidr) },
    )
    return c.json(whitelistEntryFromRow(row), 201)
  },
)
