// Drizzle table of operator API keys; only the SHA-256 of the secret and a short display prefix are kept.
import { sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAtMs, idColumn } from '../columns.js'
import { API_KEY_ROLES } from '../../entities/enums.js'

/** `api_keys`: bearer keys looked up by the hash of the presented secret. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: idColumn(),
    name: text('name').notNull(),
    role: text('role', { enum: API_KEY_ROLES }).notNull(),
    secretHash: text('secret_hash').notNull(),
    secretPrefix: text('secret_prefix').notNull(),
    createdAtMs: createdAtMs(),
  },
  (t) => [uniqueIndex('api_keys_name_idx').on(t.name), uniqueIndex('api_keys_secret_hash_idx').on(t.secretHash)],
)
