// Zod schemas, types and row mapping for alert rules (docs/api.md /v1/alert-rules): scope, metric, window, threshold and pacing.
import { z } from 'zod'
import type { alertRules } from '../db/tables/alert-rules.js'
import { terminationReason } from '../termination/reasons.js'
import { ALERT_METRICS, ALERT_SEVERITIES } from './enums.js'
import { alertScope, entityId, entityName, isoFromMs, isoTime, patchSchema, sipStatusCode, type AlertScope } from './fields.js'

/** Row shapes of the `alert_rules` table. */
export type AlertRuleRow = typeof alertRules.$inferSelect
export type AlertRuleInsert = typeof alertRules.$inferInsert

/** One metric. */
export type AlertMetric = (typeof ALERT_METRICS)[number]

const fields = {
  name: entityName,
  scope: alertScope.describe('{ kind: all } | { kind: routingGateway|mappingGateway|account, id } | { kind: prefix, prefix }'),
  metric: z.enum(ALERT_METRICS).describe(
    'failureRatio/reasonCount/sipCodeCount/avgPddMs/gatewayOffline/authFailures/blockedDestinations/sourceBans fire at or above the threshold, asr at or below; ' +
    'authFailures counts AuthenticationFailed calls, blockedDestinations DestinationBlocked calls, sourceBans the automatic bans made in the window (scope all); ' +
    'a finding kind (SlowGateway, OneWayAudio, ...) counts the diagnosis findings of that kind in the scope, and its webhooks carry those findings',
  ),
  reason: terminationReason.nullable().describe('termination reason counted by reasonCount'),
  sipCode: sipStatusCode.nullable().describe('SIP status counted by sipCodeCount'),
  windowSec: z.number().int().min(60).max(86_400).describe('seconds of calls judged on every run'),
  threshold: z.number().min(0).max(1e9).describe('ratio 0..1 for failureRatio/asr, a count, ms for avgPddMs, offline gateways for gatewayOffline'),
  minAttempts: z.number().int().min(0).max(1e9).describe('no alert (and no recovery) on fewer calls than this in the window'),
  severity: z.enum(ALERT_SEVERITIES),
  cooldownSec: z.number().int().min(0).max(7 * 86_400).describe('a still-firing alert is repeated at most this often'),
  enabled: z.boolean(),
}

/** The fields whose combination is checked on create and on the merged PATCH state. */
export type AlertRuleShape = Pick<z.infer<z.ZodObject<typeof fields>>, 'scope' | 'metric' | 'reason' | 'sipCode' | 'threshold'>

/** Issues of a combination of fields (reason/sipCode required by their metric, ratios within 0..1, offline only per gateway). */
export function alertRuleIssues(r: AlertRuleShape): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = []
  if (r.metric === 'reasonCount' && r.reason === null) issues.push({ path: 'reason', message: 'reasonCount needs a reason' })
  if (r.metric === 'sipCodeCount' && r.sipCode === null) issues.push({ path: 'sipCode', message: 'sipCodeCount needs a sipCode' })
  if ((r.metric === 'failureRatio' || r.metric === 'asr') && r.threshold > 1) issues.push({ path: 'threshold', message: `${r.metric} is a ratio: 0..1` })
  if (r.metric === 'sourceBans' && r.scope.kind !== 'all') issues.push({ path: 'scope', message: 'sourceBans counts bans of sources, not calls: scope all' })
  if (r.metric === 'gatewayOffline' && r.scope.kind !== 'all' && r.scope.kind !== 'routingGateway') {
    issues.push({ path: 'scope', message: 'gatewayOffline watches routing gateways: scope all or routingGateway' })
  }
  return issues
}

/** POST /v1/alert-rules body. */
export const alertRuleCreate = z
  .strictObject({
    ...fields,
    scope: fields.scope.default({ kind: 'all' }),
    reason: fields.reason.default(null),
    sipCode: fields.sipCode.default(null),
    windowSec: fields.windowSec.default(300),
    minAttempts: fields.minAttempts.default(10),
    severity: fields.severity.default('warning'),
    cooldownSec: fields.cooldownSec.default(900),
    enabled: fields.enabled.default(true),
  })
  .superRefine((b, ctx) => {
    for (const i of alertRuleIssues(b)) ctx.addIssue({ code: 'custom', path: [i.path], message: i.message })
  })

/** PATCH /v1/alert-rules/{id} body (check `alertRuleIssues` again on the merged row). */
export const alertRuleUpdate = patchSchema(fields)

/** Public JSON shape of an alert rule. */
export const alertRule = z.object({ id: entityId, ...fields, createdAt: isoTime, updatedAt: isoTime })

/** Inferred types of the schemas above. */
export type AlertRuleCreate = z.infer<typeof alertRuleCreate>
export type AlertRuleUpdate = z.infer<typeof alertRuleUpdate>
export type AlertRule = z.infer<typeof alertRule>

/** Maps an `alert_rules` row to the public JSON shape. */
export function alertRuleFromRow(row: AlertRuleRow): AlertRule {
  const { createdAtMs, updatedAtMs, ...rest } = row
  return { ...rest, createdAt: isoFromMs(createdAtMs), updatedAt: isoFromMs(updatedAtMs) }
}

/** Builds the insert row for a validated create body. */
export function alertRuleToRow(input: AlertRuleCreate, ctx: { id: string; nowMs: number }): AlertRuleRow {
  return { id: ctx.id, ...input, createdAtMs: ctx.nowMs, updatedAtMs: ctx.nowMs }
}

/** Builds the update set for a validated PATCH body. */
export function alertRuleUpdateToRow(input: AlertRuleUpdate, ctx: { nowMs: number }): Partial<AlertRuleInsert> {
  return { ...input, updatedAtMs: ctx.nowMs }
}
