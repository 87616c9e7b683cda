// PATCH /v1/alert-rules/{id}: merges the given fields and re-checks the merged rule; 200, 400, 404 or 409.
import { updateOperation } from '../config-resource.js'
import { alertRulesResource } from './resource.js'

/** The update operation of /v1/alert-rules. */
export const updateAlertRule = updateOperation(alertRulesResource)
