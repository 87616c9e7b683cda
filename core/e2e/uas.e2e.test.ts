// The running core as a UAS on real UDP, driven by SIPp: RFC 3261 §11.2 (OPTIONS 200), §17.2.2 (non-INVITE server retransmissions), §17.2.1 (a final INVITE response retransmitted per Timer G until the ACK: the 403 to an unknown source), and the process contract of docs/api.md (bad env exit 1, SIGTERM exit 0).
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { health, metric, repoRoot, runSipp, startCore, waitFor, type CoreProcess } from './test-support/harness.js'

describe('core as UAS under SIPp', () => {
  let core: CoreProcess
  beforeAll(async () => {
    // T1 100 ms / T4 1 s (the smallest the parameter bounds allow): Timers J and H end after 6.4 s instead of 32 s.
    // SIPp sends from a source that is no gateway: pike and the failed-authentication ban (docs/architecture.md, "Facing the internet") are
    // raised so that this file measures the UAS, not the screen that tests of their own cover.
    core = await startCore({}, { params: { SS_SIP_T1_MS: 100, SS_SIP_T4_MS: 1000, SS_PIKE_RATE: 100_000, SS_PIKE_BURST: 1_000_000, SS_AUTH_FAIL_LIMIT: 10_000 } })
  })
  afterAll(async () => {
    expect(await core.stop()).toBe(0)
  })

  const target = (): string => `127.0.0.1:${core.sipPort}`

  it('answers 200 OPTIONS transactions with 200 listing Allow and Accept', async () => {
    const res = await runSipp({ scenario: 'uac-options-expect-200.xml', target: target(), calls: 200, rate: 200 })
    expect({ exit: res.exitCode, ok: res.successful, failed: res.failed }).toEqual({ exit: 0, ok: 200, failed: 0 })
    expect(await metric(core, 'softswitch_sip_requests_received_total{method="OPTIONS"}')).toBeGreaterThanOrEqual(200)
  })

  it('completes every OPTIONS transaction with 10% loss on SIPp\'s side, through retransmissions on the wire', async () => {
    const absorbedBefore = await metric(core, 'softswitch_sip_absorbed_retransmissions_total')
    const res = await runSipp({ scenario: 'uac-options-expect-200.xml', target: target(), calls: 200, rate: 100, lostPercent: 10 })
    expect({ exit: res.exitCode, ok: res.successful, failed: res.failed }).toEqual({ exit: 0, ok: 200, failed: 0 })
    expect(res.retransmissions).toBeGreaterThan(0)
    // Retransmitted OPTIONS reached the core and were answered from their transactions (RFC 3261 §17.2.2).
    expect(await metric(core, 'softswitch_sip_absorbed_retransmissions_total')).toBeGreaterThan(absorbedBefore)
  })

  it('rejects INVITE from an unknown IP with 403 that SIPp ACKs, for 100 calls', async () => {
    const res = await runSipp({ scenario: 'uac-invite-unknown-ip-expect-403.xml', target: target(), calls: 100, rate: 50 })
    expect({ exit: res.exitCode, ok: res.successful, failed: res.failed }).toEqual({ exit: 0, ok: 100, failed: 0 })
    expect(await metric(core, 'softswitch_sip_responses_sent_total{status="403"}')).toBeGreaterThanOrEqual(100)
  })

  it('answers every retransmitted INVITE from an unknown IP with one stateless 403, never a Timer G retransmission, with 10% loss on SIPp\'s side', async () => {
    const before = await metric(core, 'softswitch_sip_retransmissions_total{kind="ist"}')
    const res = await runSipp({ scenario: 'uac-invite-unknown-ip-expect-403.xml', target: target(), calls: 100, rate: 50, lostPercent: 10 })
    expect({ exit: res.exitCode, ok: res.successful, failed: res.failed }).toEqual({ exit: 0, ok: 100, failed: 0 })
    expect(res.retransmissions).toBeGreaterThan(0)
    // The screen answers a refused source without a transaction (no amplification): SIPp's own retransmissions
    // recover a lost 403, and the core retransmits nothing.
    expect(await metric(core, 'softswitch_sip_retransmissions_total{kind="ist"}')).toBe(before)
  })

  it('runs 2,000 OPTIONS at 1,000/s without a failure', async () => {
    const res = await runSipp({ scenario: 'uac-options-expect-200.xml', target: target(), calls: 2000, rate: 1000, timeoutSec: 30, extraArgs: ['-l', '1000'] })
    expect({ exit: res.exitCode, ok: res.successful, failed: res.failed }).toEqual({ exit: 0, ok: 2000, failed: 0 })
  })

  it('returns to zero live transactions once Timers J, H and I have run', async () => {
    expect(await waitFor(async () => (await health(core)).transactions === 0, 15_000)).toBe(true)
    const h = await health(core)
    expect(h).toMatchObject({ ok: true, transactions: 0, configVersion: 1 })
    expect(await metric(core, 'softswitch_sip_transport_user_errors_total{transport="udp"}')).toBe(0)
  })
})

describe('core process contract', () => {
  it('exits 1 naming the variable when the environment is invalid', () => {
    const r = spawnSync(join(repoRoot, 'node_modules/.bin/tsx'), [join(repoRoot, 'core/main.ts')], {
      cwd: repoRoot,
      env: { ...process.env, SIP_PORT: 'seventy', RTP_PORT_MIN: '30000', RTP_PORT_MAX: '20000' },
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(r.status).toBe(1)
    const line = JSON.parse(r.stderr.trim().split('\n').pop()!) as { msg: string; problems: Array<{ variable: string }> }
    expect(line.msg).toMatch(/invalid environment/)
    expect(line.problems.map((p) => p.variable)).toContain('SIP_PORT')
  })

  it('stops on SIGTERM with exit 0 after logging that it stopped', async () => {
    const core = await startCore({ LOG_LEVEL: 'info' })
    const before = await runSipp({ scenario: 'uac-options-expect-200.xml', target: `127.0.0.1:${core.sipPort}`, calls: 5, rate: 50 })
    expect(before.successful).toBe(5)
    expect(await core.stop()).toBe(0)
    expect(core.output()).toMatch(/"msg":"core listening"/)
    expect(core.output()).toMatch(/"msg":"stopped"/)
  })
})
