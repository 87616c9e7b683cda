// Drizzle table of operator console sessions: an API key exchanged for a short-lived cookie, stored by the hash of its token.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { createdAtMs } from '../columns.js'

/** `console_sessions`: the primary key is the SHA-256 of the cookie's token, so a database read gives no usable session. */
export const consoleSessions = sqliteTable(
  'console_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    keyId: text('key_id').notNull(),
    /** Sent back by the console in `x-csrf-token` on every write made with the cookie. */
    csrfToken: text('csrf_token').notNull(),
    createdAtMs: createdAtMs(),
    expiresAtMs: integer('expires_at_ms').notNull(),
  },
  (t) => [index('console_sessions_key_id_idx').on(t.keyId), index('console_sessions_expires_at_ms_idx').on(t.expiresAtMs)],
)
