// POST /v1/alert-rules: validates the rule (reason/sipCode per metric, scope references), inserts; 201, 400 or 409.
import { createOperation } from '../config-resource.js'
import { alertRulesResource } from './resource.js'

/** The create operation of /v1/alert-rules. */
export const createAlertRule = createOperation(alertRulesResource)
