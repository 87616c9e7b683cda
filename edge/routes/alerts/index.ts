// Sub-app of /v1/alerts: the alert log with each webhook delivery's status (read-only; the alert job writes it).
import { defineResource } from '../../openapi/operation.js'
import { getAlert } from './get.js'
import { listAlerts } from './list.js'

/** /v1/alerts, mounted by createApp and documented in /openapi.json. */
export const alertsRoutes = defineResource('/v1/alerts', 'alerts', [listAlerts, getAlert])
