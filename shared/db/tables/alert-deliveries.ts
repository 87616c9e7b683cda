// Drizzle table of webhook deliveries: the exact signed body, its status and the retry bookkeeping.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { ALERT_EVENT_TYPES, DELIVERY_STATUSES } from '../../entities/enums.js'
import { createdAtMs, epochMs, idColumn } from '../columns.js'

/** `alert_deliveries`: id is the Standard Webhooks message id (`webhook-id`), the same on every retry of the body. */
export const alertDeliveries = sqliteTable(
  'alert_deliveries',
  {
    id: idColumn(),
    alertId: text('alert_id').notNull(),
    webhookId: text('webhook_id').notNull(),
    type: text('type', { enum: ALERT_EVENT_TYPES }).notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull(),
    attempts: integer('attempts').notNull(),
    lastAttemptAtMs: epochMs('last_attempt_at_ms'),
    nextAttemptAtMs: epochMs('next_attempt_at_ms'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAtMs: createdAtMs(),
  },
  (t) => [
    index('alert_deliveries_status_next_attempt_at_ms_idx').on(t.status, t.nextAttemptAtMs),
    index('alert_deliveries_alert_id_idx').on(t.alertId),
  ],
)
