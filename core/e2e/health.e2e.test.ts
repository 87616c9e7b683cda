// Gateway health and live state on the wire (RFC 3261 §11 OPTIONS): a SIPp gateway that stops answering OPTIONS goes offline within failures x period + SS_OPTIONS_TIMEOUT and calls skip it without an INVITE timeout, it comes back when it answers again; /metrics parses as Prometheus text; current calls match what SIPp holds; a network test asked through the database is answered by the core.
import { randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gatewayStatus, networkTests } from '../../shared/db/schema.js'
import { networkTestFromRow } from '../../shared/entities/network-test.js'
import { promtoolCheckMetrics } from '../../shared/db/node/test-support/promtool.js'
import { parsePrometheusText, sampleValue } from '../lib/test-support/prometheus-text.js'
import { CUSTOMER_ACCOUNT, LOCAL_IP_CUSTOMER, cdrSummary, outcome, runCall, settle, vendorGateway } from './test-support/call-fixtures.js'
import { freeUdpPort, startCore, startSipp, startSippUas, waitFor, type CoreProcess, type SippProcess } from './test-support/harness.js'

/** Period 5 s (the catalogue minimum) with default T1, three failures to go offline and SS_OPTIONS_TIMEOUT 5 s; one success back. */
const PARAMS = {
  SS_SIP_OPTIONS_CHECK_PERIOD: 5, SS_OPTIONS_SUCCESSES_TO_ONLINE: 1,
  // a call sent to a dead gateway would wait this long: the failover below must not
  SS_SIP_TIMEOUT_INVITE: 10,
}
const PERIOD_MS = 5_000
/** 3 failures x 5 s + 5 s timeout, whatever T1 (Timer F would be 32 s); 0.5 s more for this test's 100 ms polling. */
const OFFLINE_WITHIN_MS = 3 * PERIOD_MS + 5_000 + 500

describe('gateway health and live state', () => {
  let core: CoreProcess
  let checkedPort: number
  let backupPort: number
  let checked: SippProcess | null = null
  const status = async (path: string): Promise<Response> => fetch(`http://127.0.0.1:${core.statusPort}${path}`)
  const offline = async (): Promise<string[]> => ((await (await status('/health')).json()) as { gateways: { offline: string[] } }).gateways.offline
  const answerOptions = (): Promise<SippProcess> => startSippUas({ scenario: 'uas-options-expect-200.xml', port: checkedPort, calls: 1000, timeoutSec: 120 })
  const row = async (kind: 'routing' | 'mapping', id: string) =>
    (await core.database.db.select().from(gatewayStatus).where(and(eq(gatewayStatus.kind, kind), eq(gatewayStatus.gatewayId, id))))[0]

  beforeAll(async () => {
    checkedPort = await freeUdpPort()
    backupPort = await freeUdpPort()
    checked = await answerOptions()
    core = await startCore({ STATUS_PUBLISH_MS: '200', NETWORK_TEST_POLL_MS: '100', LOG_LEVEL: 'info' }, {
      config: {
        params: PARAMS,
        accounts: [CUSTOMER_ACCOUNT],
        mappingGateways: [LOCAL_IP_CUSTOMER],
        routingGateways: [
          vendorGateway('rgw_checked', checkedPort, { priority: 0, optionsCheck: true }),
          vendorGateway('rgw_backup', backupPort, { priority: 1 }),
        ],
      },
    })
  })
  afterAll(async () => {
    await checked?.stop()
    await core?.stop()
  })

  it('publishes the answering gateway online with an RTT and its last code', async () => {
    expect(await waitFor(async () => (await row('routing', 'rgw_checked'))?.lastCode === 200, PERIOD_MS + 3_000), core.output().slice(-2000)).toBe(true)
    expect(await row('routing', 'rgw_checked')).toMatchObject({ online: true, lossRatio: 0, rttMs: expect.any(Number), lastCheckAtMs: expect.any(Number) })
    expect(await row('mapping', 'mgw_local')).toMatchObject({ online: true, currentCalls: 0 })
  })

  it('takes a gateway that stops answering offline within 20 s at a 5 s period and default T1, and calls fail over past it at once', async () => {
    await checked!.stop()
    checked = null
    const stoppedAt = Date.now()
    expect(await waitFor(async () => (await offline()).includes('rgw_checked'), OFFLINE_WITHIN_MS + 2_000), core.output().slice(-2000)).toBe(true)
    expect(Date.now() - stoppedAt).toBeLessThan(OFFLINE_WITHIN_MS)
    expect(await waitFor(async () => (await row('routing', 'rgw_checked'))?.online === false, 2_000)).toBe(true)
    expect(core.output()).toMatch(/"msg":"routing gateway offline: OPTIONS unanswered"/)

    const started = Date.now()
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '1200', durationMs: 100 },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: backupPort }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    // no INVITE to the dead gateway: no 10 s SS_SIP_TIMEOUT_INVITE before the backup answered
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(cdrSummary(r.cdrs[0]), r.trace).toMatchObject({ routingGatewayId: 'rgw_backup', attempts: [expect.stringMatching(/^rgw_backup:200:/)] })
    expect(r.cdrs[0]?.notes).toContain('routing skipped rgw_checked: offline (OPTIONS check)')
  })

  it('brings the gateway back online once it answers OPTIONS again', async () => {
    checked = await answerOptions()
    expect(await waitFor(async () => (await offline()).length === 0, PERIOD_MS + 2_000), core.output().slice(-2000)).toBe(true)
    expect(core.output()).toMatch(/"msg":"routing gateway online again: OPTIONS answered"/)
    expect(await waitFor(async () => (await row('routing', 'rgw_checked'))?.online === true, 2_000)).toBe(true)
  })

  it('counts the 5 calls SIPp holds on /v1/calls, /metrics and gateway_status, and serves /metrics as valid Prometheus text', async () => {
    const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: backupPort, calls: 5, timeoutSec: 30 })
    // the checked gateway only answers OPTIONS: lock it out of this test's routing by prefix
    await core.updateConfig({
      routingGateways: [
        vendorGateway('rgw_checked', checkedPort, { priority: 0, optionsCheck: true, prefixes: ['99'] }),
        vendorGateway('rgw_backup', backupPort, { priority: 1 }),
      ],
    })
    const customer = await startSipp({ scenario: 'uac-call-answered-expect-200.xml', target: core.target, service: '1300', calls: 5, rate: 50, durationMs: 4_000, timeoutSec: 30 })
    const held = async (): Promise<boolean> => {
      const calls = (await (await status('/v1/calls?gatewayId=rgw_backup')).json()) as { count: number; items: Array<{ state: string; ageSec: number }> }
      return calls.count === 5 && calls.items.every((c) => c.state === 'connected')
    }
    expect(await waitFor(held, 3_000)).toBe(true)
    expect(((await (await status('/v1/calls?gatewayId=mgw_local')).json()) as { count: number }).count).toBe(5)
    expect(((await (await status('/v1/calls?gatewayId=rgw_checked')).json()) as { count: number }).count).toBe(0)
    const text = await (await status('/metrics')).text()
    // Prometheus's own linter on the live exposition (calls up, histograms filled): format, types, names, units.
    const lint = promtoolCheckMetrics(text)
    expect(lint, lint.findings).toEqual({ status: 0, findings: '' })
    const fams = parsePrometheusText(text)
    expect(sampleValue(fams, 'softswitch_calls_active')).toBe(5)
    expect(sampleValue(fams, 'softswitch_gateway_online', { gateway: 'rgw_checked' })).toBe(1)
    expect(sampleValue(fams, 'softswitch_calls_answered_total')).toBeGreaterThanOrEqual(6)
    expect(sampleValue(fams, 'softswitch_sip_requests_sent_total', { method: 'OPTIONS' })).toBeGreaterThan(0)
    expect(fams.get('softswitch_sip_options_rtt_seconds')?.type).toBe('histogram')
    expect(sampleValue(fams, 'softswitch_sip_retransmissions_total', { kind: 'nict' })).toBeGreaterThan(0)
    // set-up time is observed when a call ends; the 5 INVITEs to the vendor already have their final answers
    expect(fams.get('softswitch_call_setup_seconds')?.type).toBe('histogram')
    expect(sampleValue(fams, 'softswitch_sip_client_transaction_seconds_count', { method: 'INVITE' })).toBeGreaterThanOrEqual(5)
    expect(fams.get('softswitch_build_info')?.samples[0]).toMatchObject({ value: 1, labels: { service: 'core', node: process.version } })
    expect(fams.get('process_resident_memory_bytes')?.type).toBe('gauge')
    expect(sampleValue(fams, 'softswitch_cdr_journal_backlog_records')).toBeGreaterThanOrEqual(0)
    expect(await waitFor(async () => (await row('routing', 'rgw_backup'))?.currentCalls === 5 && (await row('mapping', 'mgw_local'))?.currentCalls === 5, 2_000)).toBe(true)
    expect((await row('mapping', 'mgw_local'))?.callsPerSec).toBeGreaterThan(0)
    expect(outcome(await customer.done())).toEqual({ ok: 5, failed: 0 })
    await settle(vendor, 5_000)
    expect(await waitFor(async () => (await row('routing', 'rgw_backup'))?.currentCalls === 0, 2_000)).toBe(true)
  })

  it('answers a network test asked through network_tests with sent, received, loss and RTT', async () => {
    const id = randomUUID()
    await core.database.db.insert(networkTests).values({ id, routingGatewayId: 'rgw_checked', host: '127.0.0.1', port: checkedPort, count: 3, intervalMs: 50, status: 'pending', requestedAtMs: Date.now() })
    let result: ReturnType<typeof networkTestFromRow> | undefined
    expect(await waitFor(async () => {
      const [r] = await core.database.db.select().from(networkTests).where(eq(networkTests.id, id))
      result = r === undefined ? undefined : networkTestFromRow(r)
      return result?.status === 'done'
    }, 5_000)).toBe(true)
    expect(result).toMatchObject({ sent: 3, received: 3, lossRatio: 0, lastCode: 200, rttMs: { min: expect.any(Number), avg: expect.any(Number), max: expect.any(Number) } })
  })
})
