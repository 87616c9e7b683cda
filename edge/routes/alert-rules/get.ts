// GET /v1/alert-rules/{id}: one alert rule, 404 when unknown.
import { getOperation } from '../config-resource.js'
import { alertRulesResource } from './resource.js'

/** The get operation of /v1/alert-rules. */
export const getAlertRule = getOperation(alertRulesResource)
