// Drizzle table of webhook receivers: URL, signing secret (kept so the edge can sign) and which alerts they get.
import { sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import type { AlertSeverity } from '../../entities/enums.js'
import { bool, createdAtMs, idColumn, jsonText, updatedAtMs } from '../columns.js'

/** `webhooks`: the secret is stored as given ("whsec_" + base64 key) because HMAC signing needs the key itself. */
export const webhooks = sqliteTable(
  'webhooks',
  {
    id: idColumn(),
    name: text('name').notNull(),
    url: text('url').notNull(),
    secret: text('secret').notNull(),
    enabled: bool('enabled').notNull(),
    severities: jsonText<AlertSeverity[]>('severities').notNull(),
    ruleIds: jsonText<string[]>('rule_ids').notNull(),
    allowPrivateNetwork: bool('allow_private_network').notNull().default(false),
    createdAtMs: createdAtMs(),
    updatedAtMs: updatedAtMs(),
  },
  (t) => [uniqueIndex('webhooks_name_idx').on(t.name)],
)
