// Drizzle table of alert rules: what to measure, over which scope and window, and when it fires.
import { integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { ALERT_METRICS, ALERT_SEVERITIES } from '../../entities/enums.js'
import type { AlertScope } from '../../entities/fields.js'
import type { TerminationReason } from '../../termination/reasons.js'
import { bool, createdAtMs, idColumn, jsonText, updatedAtMs } from '../columns.js'

/** `alert_rules`: one row per rule; the scope is a small JSON object ({ kind, id?, prefix? }). */
export const alertRules = sqliteTable(
  'alert_rules',
  {
    id: idColumn(),
    name: text('name').notNull(),
    scope: jsonText<AlertScope>('scope').notNull(),
    metric: text('metric', { enum: ALERT_METRICS }).notNull(),
    reason: text('reason').$type<TerminationReason>(),
    sipCode: integer('sip_code'),
    windowSec: integer('window_sec').notNull(),
    threshold: real('threshold').notNull(),
    minAttempts: integer('min_attempts').notNull(),
    severity: text('severity', { enum: ALERT_SEVERITIES }).notNull(),
    cooldownSec: integer('cooldown_sec').notNull(),
    enabled: bool('enabled').notNull(),
    createdAtMs: createdAtMs(),
    updatedAtMs: updatedAtMs(),
  },
  (t) => [uniqueIndex('alert_rules_name_idx').on(t.name)],
)
