// Zod schemas and row mapping for alerts and their webhook deliveries (docs/api.md, GET /v1/alerts) and the delivery body.
import { z } from 'zod'
import type { alertDeliveries } from '../db/tables/alert-deliveries.js'
import type { alerts } from '../db/tables/alerts.js'
import { ALERT_EVENT_TYPES, ALERT_STATES, DELIVERY_STATUSES } from './enums.js'
import { entityId, isoFromMs, isoFromMsOrNull, isoTime } from './fields.js'

/** Row shapes of the `alerts` and `alert_deliveries` tables. */
export type AlertRow = typeof alerts.$inferSelect
export type AlertDeliveryRow = typeof alertDeliveries.$inferSelect

/** One delivery of an alert event to one webhook. */
export const alertDelivery = z.object({
  id: entityId.describe('the webhook-id header of this message (the same on every retry)'),
  webhookId: entityId,
  type: z.enum(ALERT_EVENT_TYPES),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  lastAttemptAt: isoTime.nullable(),
  nextAttemptAt: isoTime.nullable().describe('when a pending delivery is tried again'),
  lastStatusCode: z.number().int().nullable().describe('HTTP status of the last attempt; null when it got none'),
  lastError: z.string().nullable(),
})

/** Public JSON shape of an alert. */
export const alert = z.object({
  id: entityId,
  ruleId: entityId,
  state: z.enum(ALERT_STATES),
  value: z.number().describe('the measured value when it fired (updated on repeats and at recovery)'),
  firedAt: isoTime,
  resolvedAt: isoTime.nullable(),
  lastNotifiedAt: isoTime,
})

/** An alert with its deliveries, as listed by GET /v1/alerts. */
export const alertWithDeliveries = alert.extend({ deliveries: z.array(alertDelivery) })

/** Inferred types of the schemas above. */
export type Alert = z.infer<typeof alert>
export type AlertDelivery = z.infer<typeof alertDelivery>
export type AlertWithDeliveries = z.infer<typeof alertWithDeliveries>

/** Maps an `alerts` row to the public JSON shape. */
export function alertFromRow(row: AlertRow): Alert {
  return {
    id: row.id, ruleId: row.ruleId, state: row.state, value: row.value, firedAt: isoFromMs(row.firedAtMs),
    resolvedAt: isoFromMsOrNull(row.resolvedAtMs), lastNotifiedAt: isoFromMs(row.lastNotifiedAtMs),
  }
}

/** Maps an `alert_deliveries` row to the public JSON shape (the stored body is not repeated). */
export function alertDeliveryFromRow(row: AlertDeliveryRow): AlertDelivery {
  return {
    id: row.id, webhookId: row.webhookId, type: row.type, status: row.status, attempts: row.attempts,
    lastAttemptAt: isoFromMsOrNull(row.lastAttemptAtMs), nextAttemptAt: isoFromMsOrNull(row.nextAttemptAtMs),
    lastStatusCode: row.lastStatusCode, lastError: row.lastError,
  }
}
