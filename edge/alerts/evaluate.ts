// Pure alert evaluation: each rule's measurement in its window plus the open alerts -> fire, repeat (after the cooldown) or resolve.
import type { AlertRow } from '../../shared/entities/alert.js'
import type { AlertRuleRow } from '../../shared/entities/alert-rule.js'
import { FINDING_KINDS, type FindingKind } from '../../shared/entities/enums.js'
import type { Finding } from '../analysis/finding.js'

/** A rule's metric over its window, as measured by `measureRules`. */
export interface Measurement {
  window: { fromMs: number; toMs: number }
  /** Calls (or, for a routing gateway, attempts on it) in the window; gatewayOffline counts the gateways judged. */
  attempts: number
  /** The metric's value; null when there is nothing to compute it from (no calls, no PDD, no status row). */
  value: number | null
  /** Failure reasons in the scope, most frequent first. */
  topReasons: { reason: string; count: number }[]
  /** The window's whole diagnosis, when a rule on a finding kind needed it (the webhook reuses it). */
  diagnosis?: Finding[]
}

/** What a run does about one rule. */
export type Transition =
  | { kind: 'fire'; rule: AlertRuleRow; value: number }
  | { kind: 'repeat'; rule: AlertRuleRow; alert: AlertRow; value: number }
  | { kind: 'resolve'; rule: AlertRuleRow; alert: AlertRow; value: number }

/** True when the value is on the alerting side: asr at or below the threshold, every other metric at or above. */
export function isBreached(rule: Pick<AlertRuleRow, 'metric' | 'threshold'>, value: number): boolean {
  return rule.metric === 'asr' ? value <= rule.threshold : value >= rule.threshold
}

/** True for a metric that counts diagnosis findings of one kind. */
export function isFindingMetric(metric: string): metric is FindingKind {
  return (FINDING_KINDS as readonly string[]).includes(metric)
}

/** True when the window holds enough calls to judge the rule (gatewayOffline reads live status, sourceBans bans, finding kinds findings: not calls). */
export function isJudgeable(rule: Pick<AlertRuleRow, 'metric' | 'minAttempts'>, m: Measurement | undefined): m is Measurement & { value: number } {
  if (m === undefined || m.value === null) return false
  return rule.metric === 'gatewayOffline' || rule.metric === 'sourceBans' || isFindingMetric(rule.metric) || m.attempts >= rule.minAttempts
}

/**
 * The transitions of one run. Enabled rules only; a window under minAttempts is not judged either way
 * (Decision: too few calls say nothing about recovery either, so an open alert stays open and is not repeated).
 */
export function evaluateRules(
  rules: readonly AlertRuleRow[],
  measurements: ReadonlyMap<string, Measurement>,
  firing: readonly AlertRow[],
  nowMs: number,
): Transition[] {
  const openByRule = new Map(firing.filter((a) => a.state === 'firing').map((a) => [a.ruleId, a]))
  const transitions: Transition[] = []
  for (const rule of rules) {
    if (!rule.enabled) continue
    const m = measurements.get(rule.id)
    if (!isJudgeable(rule, m)) continue
    const open = openByRule.get(rule.id)
    const breached = isBreached(rule, m.value)
    if (open === undefined) {
      if (breached) transitions.push({ kind: 'fire', rule, value: m.value })
    } else if (!breached) {
      transitions.push({ kind: 'resolve', rule, alert: open, value: m.value })
    } else if (nowMs - open.lastNotifiedAtMs >= rule.cooldownSec * 1000) {
      transitions.push({ kind: 'repeat', rule, alert: open, value: m.value })
    }
  }
  return transitions
}
