// Writes a run's transitions: the alert row and one pending delivery per interested webhook, each holding the exact JSON body to sign.
import { and, eq } from 'drizzle-orm'
import { alertDeliveries, alerts, webhooks } from '../../shared/db/schema.js'
import { alertFromRow, type AlertDeliveryRow, type AlertRow } from '../../shared/entities/alert.js'
import { alertRuleFromRow, type AlertRuleRow } from '../../shared/entities/alert-rule.js'
import type { WebhookRow } from '../../shared/entities/webhook.js'
import { isoFromMs } from '../../shared/entities/fields.js'
import { silentLogger, type Logger } from '../../shared/log/logger.js'
import { diagnoseWindow } from '../analysis/diagnosis.js'
import type { Finding } from '../analysis/finding.js'
import type { Queryable } from '../env.js'
import { newId } from '../ids.js'
import { isFindingMetric, type Measurement, type Transition } from './evaluate.js'
import { findingsForScope } from './finding-scope.js'

/** True when the webhook is enabled, takes the rule's severity and (when it lists rules) this rule. */
export function webhookWants(w: Pick<WebhookRow, 'enabled' | 'severities' | 'ruleIds'>, rule: Pick<AlertRuleRow, 'id' | 'severity'>): boolean {
  return w.enabled && w.severities.includes(rule.severity) && (w.ruleIds.length === 0 || w.ruleIds.includes(rule.id))
}

/** The delivery body (docs/api.md "Webhooks"): `{ type, alert, rule, window, attempts, topReasons, findings }` as JSON text. */
export function alertEventBody(type: 'alert.firing' | 'alert.resolved', alert: AlertRow, rule: AlertRuleRow, m: Measurement, findings: readonly Finding[]): string {
  return JSON.stringify({
    type,
    alert: alertFromRow(alert),
    rule: alertRuleFromRow(rule),
    window: { from: isoFromMs(m.window.fromMs), to: isoFromMs(m.window.toMs) },
    attempts: m.attempts,
    topReasons: m.topReasons,
    findings,
  })
}

/**
 * The findings a rule's webhook carries: those of its scope; for a rule on a finding kind, only that kind's (the
 * findings that fired it, each with its scope).
 */
export function findingsForRule(findings: readonly Finding[], rule: Pick<AlertRuleRow, 'metric' | 'scope'>): Finding[] {
  const scoped = findingsForScope(findings, rule.scope)
  return isFindingMetric(rule.metric) ? scoped.filter((f) => f.kind === rule.metric) : scoped
}

/** Diagnosis findings per window length of the transitions' rules (the measurement's when it ran one); a failing diagnosis yields none rather than stopping alerts. */
async function findingsByWindow(db: Queryable, transitions: readonly Transition[], measurements: ReadonlyMap<string, Measurement>, log: Logger): Promise<Map<number, Finding[]>> {
  const out = new Map<number, Finding[]>()
  for (const t of transitions) {
    const m = measurements.get(t.rule.id)
    if (m === undefined || out.has(t.rule.windowSec)) continue
    if (m.diagnosis !== undefined) {
      out.set(t.rule.windowSec, m.diagnosis)
      continue
    }
    try {
      out.set(t.rule.windowSec, await diagnoseWindow(db, m.window))
    } catch (err) {
      log.warn('diagnosis failed; sending alerts without findings', { err })
      out.set(t.rule.windowSec, [])
    }
  }
  return out
}

/** Counts of what `recordTransitions` wrote. */
export interface Recorded {
  fired: number
  repeated: number
  resolved: number
  deliveriesQueued: number
}

/** Applies each transition in its own transaction (alert row + its deliveries together). */
export async function recordTransitions(
  db: Queryable,
  transitions: readonly Transition[],
  measurements: ReadonlyMap<string, Measurement>,
  nowMs: number,
  log: Logger = silentLogger,
): Promise<Recorded> {
  const recorded: Recorded = { fired: 0, repeated: 0, resolved: 0, deliveriesQueued: 0 }
  if (transitions.length === 0) return recorded
  const receivers = await db.select().from(webhooks).where(eq(webhooks.enabled, true))
  const findings = await findingsByWindow(db, transitions, measurements, log)
  for (const t of transitions) {
    const m = measurements.get(t.rule.id)
    if (m === undefined) continue
    const alert: AlertRow =
      t.kind === 'fire'
        ? { id: newId('alt', nowMs), ruleId: t.rule.id, state: 'firing', value: t.value, firedAtMs: nowMs, resolvedAtMs: null, lastNotifiedAtMs: nowMs }
        : t.kind === 'repeat'
          ? { ...t.alert, value: t.value, lastNotifiedAtMs: nowMs }
          : { ...t.alert, state: 'resolved', value: t.value, resolvedAtMs: nowMs, lastNotifiedAtMs: nowMs }
    const type: AlertDeliveryRow['type'] = t.kind === 'resolve' ? 'alert.resolved' : 'alert.firing'
    const body = alertEventBody(type, alert, t.rule, m, findingsForRule(findings.get(t.rule.windowSec) ?? [], t.rule))
    const targets = receivers.filter((w) => webhookWants(w, t.rule))
    await db.transaction(async (tx) => {
      if (t.kind === 'fire') await tx.insert(alerts).values(alert)
      else await tx.update(alerts).set(alert).where(and(eq(alerts.id, alert.id), eq(alerts.state, 'firing')))
      if (targets.length === 0) return
      await tx.insert(alertDeliveries).values(targets.map((w) => ({
        id: newId('msg', nowMs), alertId: alert.id, webhookId: w.id, type, body, status: 'pending' as const, attempts: 0,
        lastAttemptAtMs: null, nextAttemptAtMs: nowMs, lastStatusCode: null, lastError: null, createdAtMs: nowMs,
      })))
    })
    recorded[t.kind === 'fire' ? 'fired' : t.kind === 'repeat' ? 'repeated' : 'resolved'] += 1
    recorded.deliveriesQueued += targets.length
  }
  return recorded
}
