// GET /v1/alert-rules: lists alert rules, oldest first, keyset-paginated.
import { listOperation } from '../config-resource.js'
import { alertRulesResource } from './resource.js'

/** The list operation of /v1/alert-rules. */
export const listAlertRules = listOperation(alertRulesResource)
