// The alert job end to end on a real libSQL file with real HTTP receivers: fire once with a valid signature, minAttempts, cooldown, resolve, retries, the lease.
import { afterEach, describe, expect, it } from 'vitest'
import { create, routingGatewayBody } from '../test-support/fixtures.js'
import { cdrRow, insertCdrs } from '../test-support/cdrs.js'
import { useHarness, type Harness } from '../test-support/harness.js'
import { startWebhookReceiver, verifyStandardWebhook, type Answer, type WebhookReceiver } from '../test-support/webhook-receiver.js'
import { runAlertJob, type AlertJobOptions } from './job.js'
import { openDatabase } from '../../shared/db/node/database.js'

const T0 = Math.floor(Date.now() / 1000) * 1000
const quick: AlertJobOptions = { retryDelaysMs: [10, 20], timeoutMs: 1000 }

describe('runAlertJob', () => {
  const h = useHarness()
  const receivers: WebhookReceiver[] = []
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()))
  })

  async function receiver(answer?: (n: number) => Answer, delayMs?: number): Promise<WebhookReceiver> {
    const r = await startWebhookReceiver(answer, delayMs)
    receivers.push(r)
    return r
  }
  async function webhook(url: string, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
    return create(h(), '/v1/webhooks', { name: `hook-${receivers.length}-${Math.random()}`, url, severities: ['critical'], allowPrivateNetwork: true, ...extra })
  }
  /** A routing gateway with `failed` 503 calls and `answered` good calls in the minute before `atMs`, plus a failure-ratio rule on it. */
  async function spike(hh: Harness, failed: number, answered: number, rule: Record<string, unknown> = {}): Promise<{ gatewayId: string; ruleId: string }> {
    const gw = await create(hh, '/v1/routing-gateways', routingGatewayBody())
    await addCalls(gw.id, failed, answered, T0)
    const made = await create(hh, '/v1/alert-rules', {
      name: `spike-${gw.id}`, scope: { kind: 'routingGateway', id: gw.id }, metric: 'failureRatio', threshold: 0.5,
      minAttempts: 20, windowSec: 600, severity: 'critical', cooldownSec: 900, ...rule,
    })
    return { gatewayId: gw.id, ruleId: made.id }
  }
  async function addCalls(gatewayId: string, failed: number, answered: number, atMs: number): Promise<void> {
    const rows = [
      ...Array.from({ length: failed }, (_, i) => cdrRow({ routingGatewayId: gatewayId, startedAtMs: atMs - 60_000 + i * 100, terminationReason: 'GatewayRejected', sipCode: 503 })),
      ...Array.from({ length: answered }, (_, i) => cdrRow({ routingGatewayId: gatewayId, startedAtMs: atMs - 50_000 + i * 100 })),
    ]
    await insertCdrs(h().db, rows)
  }
  const alertsOf = async (ruleId: string) => (await h().request('GET', `/v1/alerts?ruleId=${ruleId}`)).body.items

  it('fires exactly one alert.firing for a 503 spike on one gateway, signed so the receiver verifies it', async () => {
    const r = await receiver()
    const hook = await webhook(r.url)
    const { gatewayId, ruleId } = await spike(h(), 20, 10)
    await spike(h(), 1, 29) // a healthy gateway with its own rule stays quiet
    const run = await runAlertJob(h().db, { ...quick, clock: () => T0 })
    expect(run).toMatchObject({ claimed: true, rulesEvaluated: 2, fired: 1, deliveries: { delivered: 1, failed: 0, retrying: 0 } })
    expect(r.received).toHaveLength(1)
    const [got] = r.received
    expect(verifyStandardWebhook(hook.secret, got!.headers, got!.body, Math.floor(Date.now() / 1000), 300)).toBe(true)
    expect(got!.json).toMatchObject({
      type: 'alert.firing',
      alert: { ruleId, state: 'firing', value: 0.6667, resolvedAt: null },
      rule: { id: ruleId, scope: { kind: 'routingGateway', id: gatewayId }, metric: 'failureRatio', threshold: 0.5 },
      window: { from: new Date(T0 - 600_000).toISOString(), to: new Date(T0).toISOString() },
      topReasons: [{ reason: 'GatewayRejected', count: 20 }],
      findings: expect.any(Array),
    })
    const [alert] = await alertsOf(ruleId)
    expect(alert.deliveries).toEqual([expect.objectContaining({ id: got!.headers['webhook-id'], webhookId: hook.id, status: 'delivered', attempts: 1, lastAttemptAt: expect.any(String) })])
  })

  it('fires a rule on a finding kind once per window it is found in, the webhook naming that finding with its scope, and resolves when it is gone', async () => {
    const r = await receiver()
    await webhook(r.url)
    const slow = await create(h(), '/v1/routing-gateways', routingGatewayBody())
    const other = await create(h(), '/v1/routing-gateways', routingGatewayBody())
    const stuck = (gw: string, i: number) => cdrRow({
      routingGatewayId: gw, startedAtMs: T0 - 60_000 + i * 100, terminationReason: 'TryingTimeout', sipCode: 408,
      attempts: [{ routingGatewayId: gw, sipCode: 487, reason: 'TryingTimeout', startedAtMs: T0 - 60_000 + i * 100, endedAtMs: T0 - 40_000 + i * 100 }],
    })
    await insertCdrs(h().db, [...Array.from({ length: 12 }, (_, i) => stuck(slow.id, i)), ...Array.from({ length: 12 }, (_, i) => stuck(other.id, i))])
    const rule = await create(h(), '/v1/alert-rules', {
      name: 'slow vendor', scope: { kind: 'routingGateway', id: slow.id }, metric: 'SlowGateway', threshold: 1, windowSec: 300, severity: 'critical', cooldownSec: 900,
    })
    expect(await runAlertJob(h().db, { ...quick, clock: () => T0 })).toMatchObject({ fired: 1 })
    expect(r.received).toHaveLength(1)
    const body = r.received[0]!.json as { alert: { value: number }; findings: { kind: string; scope: unknown; cause: string; advice: string; evidence: { exampleCdrIds: string[] } }[] }
    expect(body.alert.value).toBe(1)
    expect(body.findings).toEqual([expect.objectContaining({ kind: 'SlowGateway', scope: { routingGatewayId: slow.id }, cause: expect.stringMatching(/100 Trying/), advice: expect.any(String) })])
    expect(body.findings[0]!.evidence.exampleCdrIds).toHaveLength(5)
    expect((await runAlertJob(h().db, { ...quick, clock: () => T0 + 400_000 })).resolved).toBe(1)
    expect((await alertsOf(rule.id))[0]).toMatchObject({ state: 'resolved', value: 0 })
  })

  it('sends nothing when the window holds fewer calls than minAttempts', async () => {
    const r = await receiver()
    await webhook(r.url)
    const { ruleId } = await spike(h(), 19, 0)
    expect((await runAlertJob(h().db, { ...quick, clock: () => T0 })).fired).toBe(0)
    expect(r.received).toHaveLength(0)
    expect(await alertsOf(ruleId)).toEqual([])
  })

  it('repeats a still-firing alert only once its cooldown has passed', async () => {
    const r = await receiver()
    await webhook(r.url)
    const { ruleId } = await spike(h(), 30, 0, { windowSec: 3600, cooldownSec: 600 })
    for (const offsetMs of [0, 60_000, 300_000, 599_000]) await runAlertJob(h().db, { ...quick, clock: () => T0 + offsetMs })
    expect(r.received).toHaveLength(1)
    await runAlertJob(h().db, { ...quick, clock: () => T0 + 600_000 })
    expect(r.received.map((x) => x.json.type)).toEqual(['alert.firing', 'alert.firing'])
    expect(new Set(r.received.map((x) => x.json.alert.id)).size).toBe(1)
    expect(new Set(r.received.map((x) => x.headers['webhook-id'])).size).toBe(2)
    expect(await alertsOf(ruleId)).toHaveLength(1)
  })

  it('sends one alert.resolved when the failure ratio recovers, and nothing after', async () => {
    const r = await receiver()
    await webhook(r.url)
    const { gatewayId, ruleId } = await spike(h(), 20, 0, { windowSec: 3600 })
    await runAlertJob(h().db, { ...quick, clock: () => T0 })
    await addCalls(gatewayId, 0, 40, T0 + 120_000)
    const run = await runAlertJob(h().db, { ...quick, clock: () => T0 + 120_000 })
    expect(run.resolved).toBe(1)
    await runAlertJob(h().db, { ...quick, clock: () => T0 + 180_000 })
    expect(r.received.map((x) => x.json.type)).toEqual(['alert.firing', 'alert.resolved'])
    expect(r.received[1]!.json.alert).toMatchObject({ state: 'resolved', value: 0.3333, resolvedAt: new Date(T0 + 120_000).toISOString() })
    const [alert] = await alertsOf(ruleId)
    expect(alert).toMatchObject({ state: 'resolved', deliveries: [{ type: 'alert.firing', status: 'delivered' }, { type: 'alert.resolved', status: 'delivered' }] })
  })

  it('retries a receiver answering 500 and marks it failed, while a healthy receiver and a silent one do not hold it up', async () => {
    const failing = await receiver(() => 500)
    const silent = await receiver(() => 'hang')
    const healthy = await receiver()
    const [bad, mute, good] = [await webhook(failing.url), await webhook(silent.url), await webhook(healthy.url)]
    const { ruleId } = await spike(h(), 25, 5)
    const run = await runAlertJob(h().db, { ...quick, timeoutMs: 200, clock: () => T0 })
    expect(run.deliveries).toEqual({ delivered: 1, failed: 2, retrying: 0 })
    expect(failing.received).toHaveLength(3)
    expect(new Set(failing.received.map((x) => x.headers['webhook-id'])).size).toBe(1)
    expect(healthy.received).toHaveLength(1)
    const byHook = Object.fromEntries((await alertsOf(ruleId))[0].deliveries.map((d: { webhookId: string }) => [d.webhookId, d]))
    expect(byHook[bad.id]).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 500, lastError: 'receiver answered 500' })
    expect(byHook[mute.id]).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: null, lastError: 'no answer within 200 ms' })
    expect(byHook[good.id]).toMatchObject({ status: 'delivered', attempts: 1 })
  })

  it('leaves a delivery pending past a long backoff and delivers it on a later run', async () => {
    const r = await receiver((n) => (n === 1 ? 503 : 200))
    await webhook(r.url)
    const { ruleId } = await spike(h(), 25, 5)
    const options = { retryDelaysMs: [60_000, 60_000], maxInRunDelayMs: 1000 }
    expect((await runAlertJob(h().db, { ...options, clock: () => T0 })).deliveries).toEqual({ delivered: 0, failed: 0, retrying: 1 })
    expect((await runAlertJob(h().db, { ...options, clock: () => T0 + 30_000 })).deliveries.delivered).toBe(0)
    expect((await runAlertJob(h().db, { ...options, clock: () => T0 + 60_000 })).deliveries.delivered).toBe(1)
    expect((await alertsOf(ruleId))[0].deliveries[0]).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 200 })
  })

  it('lets only one of two concurrent runs on two connections evaluate and send', async () => {
    const r = await receiver(() => 204, 200)
    await webhook(r.url)
    await spike(h(), 25, 5)
    const second = openDatabase({ url: h().url })
    try {
      const runs = await Promise.all([runAlertJob(h().db, { ...quick, clock: () => T0 }), runAlertJob(second.db, { ...quick, clock: () => T0 })])
      expect(runs.map((x) => x.claimed).sort()).toEqual([false, true])
      expect(runs.find((x) => !x.claimed)).toMatchObject({ fired: 0, rulesEvaluated: 0 })
      expect(r.received).toHaveLength(1)
      // The lease is released at the end of a run, so the next minute's run proceeds (and, inside the cooldown, sends nothing).
      expect((await runAlertJob(second.db, { ...quick, clock: () => T0 + 60_000 })).claimed).toBe(true)
      expect(r.received).toHaveLength(1)
    } finally {
      second.client.close()
    }
  })

  it('returns an error value instead of throwing when the database is unreachable', async () => {
    const broken = openDatabase({ url: h().url })
    broken.client.close()
    const run = await runAlertJob(broken.db, { clock: () => T0 })
    expect(run).toMatchObject({ claimed: false, error: expect.stringMatching(/claiming the lease failed/) })
  })
})
