// Covers the pure alert state machine: thresholds per metric, minAttempts, fire once, cooldown repeats and one resolve.
import { describe, expect, it } from 'vitest'
import type { AlertRow } from '../../shared/entities/alert.js'
import type { AlertRuleRow } from '../../shared/entities/alert-rule.js'
import { evaluateRules, isBreached, type Measurement } from './evaluate.js'

const NOW = 1_000_000_000
const rule = (over: Partial<AlertRuleRow> = {}): AlertRuleRow => ({
  id: 'alr_1', name: 'r', scope: { kind: 'all' }, metric: 'failureRatio', reason: null, sipCode: null, windowSec: 300,
  threshold: 0.5, minAttempts: 10, severity: 'critical', cooldownSec: 600, enabled: true, createdAtMs: 0, updatedAtMs: 0, ...over,
})
const measured = (value: number | null, attempts = 20): Map<string, Measurement> =>
  new Map([['alr_1', { window: { fromMs: NOW - 300_000, toMs: NOW }, attempts, value, topReasons: [] }]])
const firing = (lastNotifiedAtMs: number): AlertRow => ({
  id: 'alt_1', ruleId: 'alr_1', state: 'firing', value: 0.9, firedAtMs: lastNotifiedAtMs, resolvedAtMs: null, lastNotifiedAtMs,
})

describe('isBreached', () => {
  it('fires failureRatio, counts and PDD at or above the threshold and asr at or below it', () => {
    expect(isBreached({ metric: 'failureRatio', threshold: 0.5 }, 0.5)).toBe(true)
    expect(isBreached({ metric: 'reasonCount', threshold: 10 }, 9)).toBe(false)
    expect(isBreached({ metric: 'asr', threshold: 0.3 }, 0.3)).toBe(true)
    expect(isBreached({ metric: 'asr', threshold: 0.3 }, 0.31)).toBe(false)
  })
})

describe('evaluateRules', () => {
  it('fires once when the metric crosses the threshold with enough attempts', () => {
    expect(evaluateRules([rule()], measured(0.9), [], NOW)).toEqual([{ kind: 'fire', rule: rule(), value: 0.9 }])
  })

  it('does nothing under minAttempts, neither firing nor resolving', () => {
    expect(evaluateRules([rule()], measured(1, 9), [], NOW)).toEqual([])
    expect(evaluateRules([rule()], measured(0, 9), [firing(NOW - 3_600_000)], NOW)).toEqual([])
  })

  it('stays quiet while firing inside the cooldown and repeats once it has passed', () => {
    expect(evaluateRules([rule()], measured(0.9), [firing(NOW - 599_000)], NOW)).toEqual([])
    expect(evaluateRules([rule()], measured(0.9), [firing(NOW - 600_000)], NOW).map((t) => t.kind)).toEqual(['repeat'])
  })

  it('resolves a firing alert when the metric recovers', () => {
    const [t] = evaluateRules([rule()], measured(0.1), [firing(NOW - 60_000)], NOW)
    expect(t).toMatchObject({ kind: 'resolve', value: 0.1, alert: { id: 'alt_1' } })
  })

  it('ignores disabled rules and unmeasurable windows', () => {
    expect(evaluateRules([rule({ enabled: false })], measured(1), [], NOW)).toEqual([])
    expect(evaluateRules([rule()], measured(null), [], NOW)).toEqual([])
  })

  it('judges gatewayOffline without minAttempts', () => {
    const offline = rule({ metric: 'gatewayOffline', threshold: 1, scope: { kind: 'routingGateway', id: 'rgw_a' } })
    expect(evaluateRules([offline], measured(1, 1), [], NOW).map((t) => t.kind)).toEqual(['fire'])
  })
})
