// Drizzle table of the audit trail: one row per successful write through the API (who, what, before and after, when).
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { idColumn, jsonText } from '../columns.js'

/** `audit_log`: append-only; ids sort by time, so `id` desc is newest first. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: idColumn(),
    atMs: integer('at_ms').notNull(),
    keyId: text('key_id').notNull(),
    keyName: text('key_name').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    /** The API operation (OpenAPI operationId), e.g. `updateRoutingGateway`. */
    operation: text('operation').notNull(),
    /** The collection under /v1, e.g. `routing-gateways`. */
    resource: text('resource').notNull(),
    resourceId: text('resource_id'),
    action: text('action').notNull(),
    /** JSON of the resource before and after the change, secrets redacted; null when there is no such state. */
    before: jsonText<unknown>('before'),
    after: jsonText<unknown>('after'),
    requestId: text('request_id'),
  },
  (t) => [
    index('audit_log_resource_resource_id_id_idx').on(t.resource, t.resourceId, t.id),
    index('audit_log_key_id_id_idx').on(t.keyId, t.id),
  ],
)
