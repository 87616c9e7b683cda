// Drizzle table holding the single config version row the core polls to know when to reload its snapshot.
import { sqliteTable, integer, check } from 'drizzle-orm/sqlite-core'
import { sql } from 'drizzle-orm'
import { updatedAtMs } from '../columns.js'

/** Id of the only row of `config_version`. */
export const CONFIG_VERSION_ROW_ID = 1

/** `config_version`: upserted (+1) by every configuration write in the same transaction; no row reads as version 0. */
export const configVersion = sqliteTable(
  'config_version',
  {
    id: integer('id').primaryKey(),
    version: integer('version').notNull(),
    updatedAtMs: updatedAtMs(),
  },
  (t) => [check('config_version_single_row_chk', sql`${t.id} = 1`)],
)
