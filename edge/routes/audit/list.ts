// GET /v1/audit: the audit trail newest first, filtered by key, resource, id, action, operation and time, with a keyset cursor.
import { and, desc, eq, gte, lt } from 'drizzle-orm'
import { z } from 'zod'
import { auditLog } from '../../../shared/db/schema.js'
import { auditEntry, auditEntryFromRow } from '../../../shared/entities/audit.js'
import { entityId, isoTime } from '../../../shared/entities/fields.js'
import { idAt } from '../../ids.js'
import { defineOperation } from '../../openapi/operation.js'
import { listQuery, pageOf } from '../config-resource.js'

const word = z.string().min(1).max(100)

/** Query of GET /v1/audit: every filter optional, combined with AND. */
export const auditQuery = listQuery.extend({
  keyId: entityId.optional().describe('changes made with this API key'),
  resource: word.optional().describe('collection under /v1, e.g. routing-gateways'),
  resourceId: z.string().min(1).max(200).optional().describe('one resource (with or without `resource`)'),
  action: word.optional().describe('create, update, delete, import, hangup, login ...'),
  operation: word.optional().describe('OpenAPI operationId, e.g. importRoutingGateways'),
  from: isoTime.optional().describe('at or after (inclusive)'),
  to: isoTime.optional().describe('before (exclusive)'),
})

/** The list operation of /v1/audit (ids sort by time, so the cursor is the last id). */
export const listAudit = defineOperation(
  {
    method: 'get',
    path: '/',
    operationId: 'listAudit',
    summary: 'Audit trail of every successful write: who (API key), what (resource, id, action, before and after, secrets redacted), when',
    query: auditQuery,
    responses: { 200: { description: 'a page of audit entries, newest first', schema: pageOf(auditEntry) } },
  },
  async (c, { query }) => {
    const rows = await c.var.db
      .select()
      .from(auditLog)
      .where(and(
        query.cursor === undefined ? undefined : lt(auditLog.id, query.cursor),
        query.keyId === undefined ? undefined : eq(auditLog.keyId, query.keyId),
        query.resource === undefined ? undefined : eq(auditLog.resource, query.resource),
        query.resourceId === undefined ? undefined : eq(auditLog.resourceId, query.resourceId),
        query.action === undefined ? undefined : eq(auditLog.action, query.action),
        query.operation === undefined ? undefined : eq(auditLog.operation, query.operation),
        // Ids start with their time, so the time window is a range of the primary key.
        query.from === undefined ? undefined : gte(auditLog.id, idAt('aud', Date.parse(query.from))),
        query.to === undefined ? undefined : lt(auditLog.id, idAt('aud', Date.parse(query.to))),
      ))
      .orderBy(desc(auditLog.id))
      .limit(query.limit + 1)
    const page = rows.slice(0, query.limit)
    const nextCursor = rows.length > query.limit ? (page.at(-1)?.id ?? null) : null
    return c.json({ items: page.map(auditEntryFromRow), nextCursor })
  },
)
