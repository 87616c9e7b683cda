// Covers what an alert event carries: findings narrowed to the rule's scope, which webhooks want it, and the body shape of docs/api.md "Webhooks".
import { describe, expect, it } from 'vitest'
import type { AlertRuleRow } from '../../shared/entities/alert-rule.js'
import type { Finding, FindingScope } from '../analysis/finding.js'
import { findingsForScope } from './finding-scope.js'
import { alertEventBody, findingsForRule, webhookWants } from './record.js'

const finding = (scope: FindingScope, kind: Finding['kind'] = 'GatewayUnreachable'): Finding => ({ kind, severity: 'critical', scope, evidence: {}, cause: '', advice: '' })
const findings = [finding({ routingGatewayId: 'rgw_a' }), finding({ routingGatewayId: 'rgw_b' }), finding({ prefix: '00331' }), finding({ side: 'switch' }, 'OwnNetworkDown')]

describe('findingsForScope', () => {
  it('keeps every finding for scope all', () => {
    expect(findingsForScope(findings, { kind: 'all' })).toHaveLength(4)
  })

  it('keeps the gateway\'s own findings and the switch-wide ones', () => {
    expect(findingsForScope(findings, { kind: 'routingGateway', id: 'rgw_a' }).map((f) => f.scope)).toEqual([{ routingGatewayId: 'rgw_a' }, { side: 'switch' }])
  })

  it('keeps prefix findings that overlap the rule\'s prefix', () => {
    expect(findingsForScope(findings, { kind: 'prefix', prefix: '0033' }).map((f) => f.scope)).toEqual([{ prefix: '00331' }, { side: 'switch' }])
    expect(findingsForScope(findings, { kind: 'prefix', prefix: '0044' }).map((f) => f.scope)).toEqual([{ side: 'switch' }])
  })
})

describe('findingsForRule', () => {
  it('carries only the findings of the rule\'s kind when the rule watches a finding kind, naming their scope', () => {
    const mixed = [...findings, finding({ routingGatewayId: 'rgw_a' }, 'SlowGateway'), finding({ mappingGatewayId: 'mgw_1', sourceIp: '192.0.2.7' }, 'CredentialMismatch')]
    expect(findingsForRule(mixed, { metric: 'SlowGateway', scope: { kind: 'routingGateway', id: 'rgw_a' } })).toEqual([mixed[4]])
    expect(findingsForRule(mixed, { metric: 'CredentialMismatch', scope: { kind: 'mappingGateway', id: 'mgw_1' } }).map((f) => f.scope)).toEqual([{ mappingGatewayId: 'mgw_1', sourceIp: '192.0.2.7' }])
    expect(findingsForRule(mixed, { metric: 'asr', scope: { kind: 'routingGateway', id: 'rgw_a' } }).map((f) => f.kind)).toEqual(['GatewayUnreachable', 'OwnNetworkDown', 'SlowGateway'])
  })
})

describe('webhookWants', () => {
  const rule = { id: 'alr_1', severity: 'critical' as const }
  it('delivers by severity, by rule list when one is given, and never to a disabled webhook', () => {
    expect(webhookWants({ enabled: true, severities: ['critical'], ruleIds: [] }, rule)).toBe(true)
    expect(webhookWants({ enabled: true, severities: ['warning'], ruleIds: [] }, rule)).toBe(false)
    expect(webhookWants({ enabled: true, severities: ['critical'], ruleIds: ['alr_2'] }, rule)).toBe(false)
    expect(webhookWants({ enabled: false, severities: ['critical'], ruleIds: [] }, rule)).toBe(false)
  })
})

describe('alertEventBody', () => {
  it('serialises type, alert, rule, window, top reasons and findings with ISO times', () => {
    const rule: AlertRuleRow = {
      id: 'alr_1', name: 'r', scope: { kind: 'all' }, metric: 'asr', reason: null, sipCode: null, windowSec: 60, threshold: 0.2,
      minAttempts: 1, severity: 'critical', cooldownSec: 0, enabled: true, createdAtMs: 0, updatedAtMs: 0,
    }
    const body = JSON.parse(alertEventBody(
      'alert.firing',
      { id: 'alt_1', ruleId: 'alr_1', state: 'firing', value: 0.1, firedAtMs: 60_000, resolvedAtMs: null, lastNotifiedAtMs: 60_000 },
      rule,
      { window: { fromMs: 0, toMs: 60_000 }, attempts: 10, value: 0.1, topReasons: [{ reason: 'InviteTimeout', count: 9 }] },
      [findings[3]!],
    ))
    expect(body).toEqual({
      type: 'alert.firing',
      alert: { id: 'alt_1', ruleId: 'alr_1', state: 'firing', value: 0.1, firedAt: '1970-01-01T00:01:00.000Z', resolvedAt: null, lastNotifiedAt: '1970-01-01T00:01:00.000Z' },
      rule: expect.objectContaining({ id: 'alr_1', metric: 'asr', threshold: 0.2, createdAt: '1970-01-01T00:00:00.000Z' }),
      window: { from: '1970-01-01T00:00:00.000Z', to: '1970-01-01T00:01:00.000Z' },
      attempts: 10,
      topReasons: [{ reason: 'InviteTimeout', count: 9 }],
      findings: [findings[3]],
    })
  })
})
