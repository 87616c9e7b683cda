// Drizzle table of alerts: one row per firing episode of a rule, from crossing the threshold to recovery.
import { index, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { ALERT_STATES } from '../../entities/enums.js'
import { epochMs, idColumn } from '../columns.js'

/** `alerts`: at most one `firing` row per rule; `last_notified_at_ms` paces the cooldown repeats. */
export const alerts = sqliteTable(
  'alerts',
  {
    id: idColumn(),
    ruleId: text('rule_id').notNull(),
    state: text('state', { enum: ALERT_STATES }).notNull(),
    value: real('value').notNull(),
    firedAtMs: epochMs('fired_at_ms').notNull(),
    resolvedAtMs: epochMs('resolved_at_ms'),
    lastNotifiedAtMs: epochMs('last_notified_at_ms').notNull(),
  },
  (t) => [index('alerts_rule_id_state_idx').on(t.ruleId, t.state)],
)
