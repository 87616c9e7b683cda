// Covers docs/api.md, GET /v1/alerts: alert and delivery rows mapped to the public shapes with ISO times and nulls kept.
import { describe, expect, it } from 'vitest'
import { alert, alertDelivery, alertDeliveryFromRow, alertFromRow } from './alert.js'

describe('alert mapping', () => {
  it('maps a resolved alert with ISO times', () => {
    const json = alertFromRow({ id: 'alt_1', ruleId: 'alr_1', state: 'resolved', value: 0.2, firedAtMs: 0, resolvedAtMs: 60_000, lastNotifiedAtMs: 60_000 })
    expect(json).toEqual({ id: 'alt_1', ruleId: 'alr_1', state: 'resolved', value: 0.2, firedAt: '1970-01-01T00:00:00.000Z', resolvedAt: '1970-01-01T00:01:00.000Z', lastNotifiedAt: '1970-01-01T00:01:00.000Z' })
    expect(alert.parse(json)).toEqual(json)
  })

  it('maps a pending delivery without its body, keeping null times and status code', () => {
    const json = alertDeliveryFromRow({
      id: 'msg_1', alertId: 'alt_1', webhookId: 'whk_1', type: 'alert.firing', body: '{}', status: 'pending', attempts: 0,
      lastAttemptAtMs: null, nextAttemptAtMs: 5_000, lastStatusCode: null, lastError: null, createdAtMs: 0,
    })
    expect(json).toEqual({
      id: 'msg_1', webhookId: 'whk_1', type: 'alert.firing', status: 'pending', attempts: 0, lastAttemptAt: null,
      nextAttemptAt: '1970-01-01T00:00:05.000Z', lastStatusCode: null, lastError: null,
    })
    expect(alertDelivery.parse(json)).toEqual(json)
  })
})
