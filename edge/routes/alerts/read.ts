// Reads alerts with their deliveries: one query for the alerts, one for all their deliveries.
import { asc, inArray } from 'drizzle-orm'
import { alertDeliveries } from '../../../shared/db/schema.js'
import { alertDeliveryFromRow, alertFromRow, type AlertRow, type AlertWithDeliveries } from '../../../shared/entities/alert.js'
import type { Queryable } from '../../env.js'

/** Attaches each alert's deliveries (oldest first) to its public shape. */
export async function withDeliveries(db: Queryable, rows: readonly AlertRow[]): Promise<AlertWithDeliveries[]> {
  if (rows.length === 0) return []
  const deliveries = await db
    .select()
    .from(alertDeliveries)
    .where(inArray(alertDeliveries.alertId, rows.map((r) => r.id)))
    .orderBy(asc(alertDeliveries.createdAtMs), asc(alertDeliveries.id))
  return rows.map((r) => ({ ...alertFromRow(r), deliveries: deliveries.filter((d) => d.alertId === r.id).map(alertDeliveryFromRow) }))
}
