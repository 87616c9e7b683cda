// Drizzle table of core nodes as they last reported themselves: the heartbeat that tells live rows from a dead node's leftovers.
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { bool } from '../columns.js'

/** `core_nodes`: one row per node id, upserted with every live-calls publish. */
export const coreNodes = sqliteTable('core_nodes', {
  nodeId: text('node_id').primaryKey(),
  publishedAtMs: integer('published_at_ms').notNull(),
  /** The node's publish period; a row older than a few periods belongs to a node that stopped or lost the database. */
  publishPeriodMs: integer('publish_period_ms').notNull(),
  activeCalls: integer('active_calls').notNull(),
  draining: bool('draining').notNull(),
  startedAtMs: integer('started_at_ms').notNull(),
})
