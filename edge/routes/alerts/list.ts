// GET /v1/alerts: alerts newest first (filterable by rule and state), each with its webhook deliveries and their status.
import { and, desc, eq, lt } from 'drizzle-orm'
import { z } from 'zod'
import { alerts } from '../../../shared/db/schema.js'
import { alertWithDeliveries } from '../../../shared/entities/alert.js'
import { ALERT_STATES } from '../../../shared/entities/enums.js'
import { entityId } from '../../../shared/entities/fields.js'
import { defineOperation } from '../../openapi/operation.js'
import { listQuery, pageOf } from '../config-resource.js'
import { withDeliveries } from './read.js'

/** Query of GET /v1/alerts. */
export const alertsQuery = listQuery.extend({
  ruleId: entityId.optional().describe('only this rule'),
  state: z.enum(ALERT_STATES).optional().describe('firing or resolved'),
})

/** The list operation of /v1/alerts (keyset on id, newest first). */
export const listAlerts = defineOperation(
  {
    method: 'get',
    path: '/',
    operationId: 'listAlerts',
    summary: 'List alerts, newest first, with each webhook delivery (pending, delivered, failed), attempts and last attempt',
    query: alertsQuery,
    responses: { 200: { description: 'a page of alerts', schema: pageOf(alertWithDeliveries) } },
  },
  async (c, { query }) => {
    const rows = await c.var.db
      .select()
      .from(alerts)
      .where(and(
        query.cursor === undefined ? undefined : lt(alerts.id, query.cursor),
        query.ruleId === undefined ? undefined : eq(alerts.ruleId, query.ruleId),
        query.state === undefined ? undefined : eq(alerts.state, query.state),
      ))
      .orderBy(desc(alerts.id))
      .limit(query.limit + 1)
    const page = rows.slice(0, query.limit)
    const nextCursor = rows.length > query.limit ? (page.at(-1)?.id ?? null) : null
    return c.json({ items: await withDeliveries(c.var.db, page), nextCursor })
  },
)
