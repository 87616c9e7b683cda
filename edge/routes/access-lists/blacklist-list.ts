// GET /v1/blacklist: the dynamic blacklist (operators' entries and the cores' automatic bans) with reason, count and expiry, newest first.
import { and, desc, eq, gt, isNull, lte, or } from 'drizzle-orm'
import { z } from 'zod'
import { ipAccessList } from '../../../shared/db/schema.js'
import { blacklistEntry, blacklistEntryFromRow } from '../../../shared/entities/access-list.js'
import { defineOperation } from '../../openapi/operation.js'

/** Query of the list: which entries and how many. */
const query = z.object({
  state: z.enum(['active', 'expired', 'all']).default('active').describe('active: permanent or not yet expired; expired: kept for the repeat count'),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
})

/** Lists blacklist entries, last changed first. */
export const listBlacklist = defineOperation(
  {
    method: 'get',
    path: '/',
    operationId: 'listBlacklist',
    summary: 'List the dynamic blacklist (operator entries and automatic bans) with reason, count and expiry, last changed first',
    query,
    responses: { 200: { description: 'the entries', schema: z.object({ items: z.array(blacklistEntry) }) } },
  },
  async (c, { query: q }) => {
    const nowMs = Date.now()
    const active = or(isNull(ipAccessList.expiresAtMs), gt(ipAccessList.expiresAtMs, nowMs))
    const expired = lte(ipAccessList.expiresAtMs, nowMs)
    const state = q.state === 'active' ? active : q.state === 'expired' ? expired : undefined
    const rows = await c.var.db.select().from(ipAccessList)
      .where(and(eq(ipAccessList.list, 'blacklist'), state))
      .orderBy(desc(ipAccessList.updatedAtMs), desc(ipAccessList.id))
      .limit(q.limit)
    return c.json({ items: rows.map((r) => blacklistEntryFromRow(r, nowMs)) })
  },
)
