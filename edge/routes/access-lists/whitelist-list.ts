// GET /v1/whitelist: sources never banned automatically (the operator's own gateways), newest first.
import { desc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { ipAccessList } from '../../../shared/db/schema.js'
import { whitelistEntry, whitelistEntryFromRow } from '../../../shared/entities/access-list.js'
import { defineOperation } from '../../openapi/operation.js'

/** Lists whitelist entries, newest first. */
export const listWhitelist = defineOperation(
  {
    method: 'get',
    path: '/',
    operationId: 'listWhitelist',
    summary: 'List the whitelist: addresses and blocks never banned, rate-limited or blacklisted, newest first',
    responses: { 200: { description: 'the entries', schema: z.object({ items: z.array(whitelistEntry) }) } },
  },
  async (c) => {
    const rows = await c.var.db.select().from(ipAccessList).where(eq(ipAccessList.list, 'whitelist')).orderBy(desc(ipAccessList.id))
    return c.json({ items: rows.map(whitelistEntryFromRow) })
  },
)
