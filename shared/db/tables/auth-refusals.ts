// Drizzle table of refused authentication attempts, counted per time bucket, mapping gateway, source and reason: the diagnosis's evidence without a CDR per attempt.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { AUTH_REFUSAL_REASONS } from '../../entities/enums.js'

/** Span of one bucket (5 minutes, the diagnosis's own bucket): refusal evidence has this resolution. */
export const AUTH_REFUSAL_BUCKET_MS = 300_000
/** Rows are kept this long after their last attempt (a week: the week-long look back an operator asks for, a bounded table). */
export const AUTH_REFUSAL_KEEP_MS = 7 * 86_400_000
/** `mapping_gateway_id` of attempts that name no mapping gateway. */
export const NO_MAPPING_GATEWAY = ''
/** `source_ip` of a row folding the sources a bucket had no room left for. */
export const FOLDED_SOURCES = '*'

/**
 * `auth_refusals`: one row per (bucket, mapping gateway, source IP, reason). Each core process adds its counts to
 * the row (attempts summed, distinct counts and times merged by max/min), so rows of every worker and node merge in
 * place. A process keeps at most a bounded number of keys per bucket and folds further sources into `*` rows
 * (docs/diagnosis.md "Refused attempts"), so a flood from many sources cannot grow the table without limit.
 */
export const authRefusals = sqliteTable(
  'auth_refusals',
  {
    bucketMs: integer('bucket_ms').notNull(),
    mappingGatewayId: text('mapping_gateway_id').notNull(),
    sourceIp: text('source_ip').notNull(),
    reason: text('reason', { enum: AUTH_REFUSAL_REASONS }).notNull(),
    attempts: integer('attempts').notNull(),
    /** Distinct source ports seen (counted up to 16). */
    distinctPorts: integer('distinct_ports').notNull(),
    /** Distinct digest usernames offered (counted up to 16; 0 when none was). */
    distinctUsers: integer('distinct_users').notNull(),
    /** The source port used most. */
    topPort: integer('top_port').notNull(),
    firstAtMs: integer('first_at_ms').notNull(),
    lastAtMs: integer('last_at_ms').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.bucketMs, t.mappingGatewayId, t.sourceIp, t.reason] }),
    index('auth_refusals_last_at_ms_idx').on(t.lastAtMs),
  ],
)

/** One auth_refusals row: what a core process adds and what the diagnosis reads. */
export type AuthRefusalRow = typeof authRefusals.$inferSelect
