// Sub-app of /v1/alert-rules: the five operations on alert rules.
import { defineResource } from '../../openapi/operation.js'
import { createAlertRule } from './create.js'
import { getAlertRule } from './get.js'
import { listAlertRules } from './list.js'
import { removeAlertRule } from './remove.js'
import { updateAlertRule } from './update.js'

/** /v1/alert-rules, mounted by createApp and documented in /openapi.json. */
export const alertRulesRoutes = defineResource('/v1/alert-rules', 'alert-rules', [listAlertRules, createAlertRule, getAlertRule, updateAlertRule, removeAlertRule])
