// Covers docs/api.md /v1/alert-rules: scope shapes, defaults, and the metric/parameter combinations a rule must respect.
import { describe, expect, it } from 'vitest'
import { alertRuleCreate, alertRuleFromRow, alertRuleIssues, alertRuleToRow, alertRuleUpdate } from './alert-rule.js'

const issuesOf = (body: unknown) => alertRuleCreate.safeParse(body).error?.issues.map((i) => i.path.join('.')) ?? []

describe('alertRuleCreate', () => {
  it('fills scope all, window, minimum attempts, severity, cooldown and enabled', () => {
    expect(alertRuleCreate.parse({ name: 'r', metric: 'failureRatio', threshold: 0.5 })).toEqual({
      name: 'r', scope: { kind: 'all' }, metric: 'failureRatio', reason: null, sipCode: null, windowSec: 300, threshold: 0.5,
      minAttempts: 10, severity: 'warning', cooldownSec: 900, enabled: true,
    })
  })

  it.each([
    [{ kind: 'routingGateway' }, 'scope.id'],
    [{ kind: 'prefix', prefix: 'abc' }, 'scope.prefix'],
    [{ kind: 'all', id: 'x' }, 'scope'],
    [{ kind: 'galaxy' }, 'scope.kind'],
  ])('rejects scope %j at %s', (scope, path) => {
    expect(issuesOf({ name: 'r', metric: 'asr', threshold: 0.2, scope })).toContain(path)
  })

  it('requires a reason for reasonCount and a SIP code for sipCodeCount', () => {
    expect(issuesOf({ name: 'r', metric: 'reasonCount', threshold: 1 })).toEqual(['reason'])
    expect(issuesOf({ name: 'r', metric: 'reasonCount', reason: 'NoSuchReason', threshold: 1 })).toEqual(['reason'])
    expect(issuesOf({ name: 'r', metric: 'sipCodeCount', sipCode: 503, threshold: 1 })).toEqual([])
  })
})

describe('alertRuleIssues', () => {
  it('keeps ratios within 0..1 and gatewayOffline to routing gateways', () => {
    expect(alertRuleIssues({ scope: { kind: 'all' }, metric: 'asr', reason: null, sipCode: null, threshold: 1.5 })).toEqual([{ path: 'threshold', message: 'asr is a ratio: 0..1' }])
    expect(alertRuleIssues({ scope: { kind: 'account', id: 'a' }, metric: 'gatewayOffline', reason: null, sipCode: null, threshold: 1 }).map((i) => i.path)).toEqual(['scope'])
    expect(alertRuleIssues({ scope: { kind: 'routingGateway', id: 'g' }, metric: 'gatewayOffline', reason: null, sipCode: null, threshold: 1 })).toEqual([])
  })
})

describe('alert rule mapping', () => {
  it('round-trips create -> row -> public JSON and rejects an empty PATCH', () => {
    const input = alertRuleCreate.parse({ name: 'r', metric: 'avgPddMs', threshold: 4000, scope: { kind: 'prefix', prefix: '0033' } })
    const json = alertRuleFromRow(alertRuleToRow(input, { id: 'alr_1', nowMs: 0 }))
    expect(json).toEqual({ id: 'alr_1', ...input, createdAt: '1970-01-01T00:00:00.000Z', updatedAt: '1970-01-01T00:00:00.000Z' })
    expect(alertRuleUpdate.safeParse({}).success).toBe(false)
  })
})
