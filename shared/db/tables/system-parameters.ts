// Drizzle table of operator-set system parameter values; absent rows mean the catalogue default applies.
import { sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { jsonText, updatedAtMs } from '../columns.js'

/** `system_parameters`: one row per overridden parameter, value as JSON text. */
export const systemParameters = sqliteTable('system_parameters', {
  name: text('name').primaryKey(),
  value: jsonText<unknown>('value').notNull(),
  updatedAtMs: updatedAtMs(),
})
