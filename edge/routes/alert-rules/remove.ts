// DELETE /v1/alert-rules/{id}: deletes the rule and closes its firing alert; 204 or 404.
import { removeOperation } from '../config-resource.js'
import { alertRulesResource } from './resource.js'

/** The remove operation of /v1/alert-rules. */
export const removeAlertRule = removeOperation(alertRulesResource)
