// Drizzle table of the IP access lists: the dynamic blacklist (operator entries and the cores' automatic bans) and the whitelist.
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAtMs, epochMs, idColumn, updatedAtMs } from '../columns.js'
import { ACCESS_LISTS, ACCESS_ORIGINS, ACCESS_REASONS } from '../../entities/enums.js'

/**
 * `ip_access_list`: one row per (list, CIDR block), the block in canonical form (`203.0.113.7/32`). A blacklist row
 * is active while `expires_at_ms` is null (permanent) or in the future; a core keeps its expired automatic bans for
 * SS_AUTH_BAN_TIME_MAX so a repeat offender's next ban is longer (`offences`), then deletes them.
 */
export const ipAccessList = sqliteTable(
  'ip_access_list',
  {
    id: idColumn(),
    list: text('list', { enum: ACCESS_LISTS }).notNull(),
    cidr: text('cidr').notNull(),
    reason: text('reason', { enum: ACCESS_REASONS }).notNull(),
    origin: text('origin', { enum: ACCESS_ORIGINS }).notNull(),
    note: text('note'),
    /** Times the source was banned automatically (0 for an operator's entry). */
    offences: integer('offences').notNull(),
    expiresAtMs: epochMs('expires_at_ms'),
    /** Core that wrote the last automatic ban. */
    nodeId: text('node_id'),
    createdAtMs: createdAtMs(),
    updatedAtMs: updatedAtMs(),
  },
  (t) => [uniqueIndex('ip_access_list_list_cidr_idx').on(t.list, t.cidr), index('ip_access_list_expires_at_ms_idx').on(t.expiresAtMs)],
)
