// Descriptor of /v1/alert-rules: the scope must name an existing gateway or account, the merged rule must be consistent, and deleting a rule closes its alert.
import { and, eq } from 'drizzle-orm'
import { accounts, alerts, alertRules, mappingGateways, routingGateways } from '../../../shared/db/schema.js'
import {
  alertRule, alertRuleCreate, alertRuleFromRow, alertRuleIssues, alertRuleToRow, alertRuleUpdate, alertRuleUpdateToRow,
  type AlertRule, type AlertRuleCreate, type AlertRuleUpdate,
} from '../../../shared/entities/alert-rule.js'
import { badRequest } from '../../errors.js'
import type { ConfigResource } from '../config-resource.js'
import { requireReferences } from '../references.js'

const SCOPE_TABLES = { routingGateway: [routingGateways, 'routing gateway'], mappingGateway: [mappingGateways, 'mapping gateway'], account: [accounts, 'account'] } as const

/** Alert rules: edge-only configuration (writes do not bump the core's config version). */
export const alertRulesResource: ConfigResource<typeof alertRules, AlertRule, AlertRuleCreate, AlertRuleUpdate> = {
  table: alertRules,
  noun: 'alert rule',
  typeName: 'AlertRule',
  idPrefix: 'alr',
  configChange: false,
  schemas: { entity: alertRule, create: alertRuleCreate, update: alertRuleUpdate },
  fromRow: alertRuleFromRow,
  toInsert: async (_tx, input, ctx) => alertRuleToRow(input, ctx),
  toUpdate: async (_tx, current, input, ctx) => {
    const issues = alertRuleIssues({ ...current, ...input })
    if (issues.length > 0) throw badRequest('the changed alert rule is inconsistent', issues)
    return alertRuleUpdateToRow(input, ctx)
  },
  checkReferences: async (tx, values) => {
    const scope = values.scope
    if (scope === undefined || !(scope.kind in SCOPE_TABLES) || !('id' in scope)) return
    const [table, noun] = SCOPE_TABLES[scope.kind as keyof typeof SCOPE_TABLES]
    await requireReferences(tx, table, noun, [{ path: 'scope.id', id: scope.id }])
  },
  // Decision: the rule's firing alert is closed without a resolved message (nobody measures it any more); its history stays.
  beforeDelete: async (tx, id) => {
    await tx.update(alerts).set({ state: 'resolved', resolvedAtMs: Date.now() }).where(and(eq(alerts.ruleId, id), eq(alerts.state, 'firing')))
  },
}
