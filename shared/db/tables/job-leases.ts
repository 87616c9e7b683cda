// Drizzle table of job leases: a named job is run by whoever holds its unexpired lease (one alert run at a time).
import { sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { epochMs } from '../columns.js'

/** `job_leases`: claimed by a conditional upsert (free or expired -> ours), released by clearing the expiry. */
export const jobLeases = sqliteTable('job_leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  acquiredAtMs: epochMs('acquired_at_ms').notNull(),
  expiresAtMs: epochMs('expires_at_ms').notNull(),
})
