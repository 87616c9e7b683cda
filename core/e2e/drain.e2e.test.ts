// SIGTERM keeps calls (docs/operations.md "Stopping and draining"): a call up goes on while new INVITEs get 503 with Retry-After (RFC 3261 §21.5.4, §20.33) and /health says draining; the core exits 0 once the call ends, or at once with a SystemShutdown CDR on a second signal.
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { CUSTOMER_ACCOUNT, LOCAL_IP_CUSTOMER, cdrSummary, outcome, vendorGateway } from './test-support/call-fixtures.js'
import { cdrMark, readCdrs } from './test-support/config-seed.js'
import { describeSipp, freeUdpPort, runSipp, startCore, startSipp, startSippUas, waitFor, type CoreProcess } from './test-support/harness.js'

/** A core with one vendor on a free port and a drain long enough that only the call or a second signal ends it. */
async function drainingSetup(): Promise<{ core: CoreProcess; vendorPort: number }> {
  const vendorPort = await freeUdpPort()
  const core = await startCore(
    { DRAIN_TIMEOUT_MS: '60000' },
    { config: { accounts: [CUSTOMER_ACCOUNT], mappingGateways: [LOCAL_IP_CUSTOMER], routingGateways: [vendorGateway('rgw_vendor', vendorPort)] } },
  )
  return { core, vendorPort }
}

/** Waits until the core's /health answers 503 (draining); false if it never does. */
function untilDraining(core: CoreProcess): Promise<boolean> {
  return waitFor(async () => (await fetch(`http://127.0.0.1:${core.statusPort}/health`)).status === 503, 5_000)
}

describe('SIGTERM drain', () => {
  let core: CoreProcess | undefined
  afterEach(async () => {
    await core?.stop()
    core = undefined
  })

  it('lets a call up finish, refuses new INVITEs with 503 and Retry-After, then exits 0', async () => {
    const s = await drainingSetup()
    core = s.core
    const mark = await cdrMark(core.database.db)
    const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: s.vendorPort, timeoutSec: 20, trace: true })
    const customer = await startSipp({ scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: 1, service: '5300', durationMs: 4_000, timeoutSec: 20, trace: true })
    expect(await waitFor(async () => (await fetch(`http://127.0.0.1:${core!.statusPort}/v1/calls`).then((r) => r.json()) as { count: number }).count === 1, 5_000)).toBe(true)
    const exited = once(core.child, 'exit')
    core.child.kill('SIGTERM')
    expect(await untilDraining(core)).toBe(true)
    const refused = await runSipp({ scenario: 'uac-invite-draining-expect-503-retry-after.xml', target: core.target, calls: 1, service: '5301', timeoutSec: 10, trace: true })
    expect(outcome(refused), describeSipp('refused', refused)).toEqual({ ok: 1, failed: 0 })
    const [c, v] = await Promise.all([customer.done(), vendor.done()])
    expect(outcome(c), describeSipp('customer', c)).toEqual({ ok: 1, failed: 0 })
    expect(outcome(v), describeSipp('vendor', v)).toEqual({ ok: 1, failed: 0 })
    const [code] = (await exited) as [number | null]
    expect(code, core.output().slice(-2000)).toBe(0)
    const cdrs = await readCdrs(core.database.db, { after: mark, count: 1, timeoutMs: 5_000 })
    expect(cdrs.map(cdrSummary)).toEqual([expect.objectContaining({ reason: 'CallerHangup', routingGatewayId: 'rgw_vendor' })])
  }, 60_000)

  it('ends the calls with SystemShutdown and exits 0 on a second SIGTERM', async () => {
    const s = await drainingSetup()
    core = s.core
    const mark = await cdrMark(core.database.db)
    const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: s.vendorPort, timeoutSec: 30, trace: true })
    const customer = await startSipp({ scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: 1, service: '5302', durationMs: 25_000, timeoutSec: 30, trace: true })
    expect(await waitFor(async () => (await fetch(`http://127.0.0.1:${core!.statusPort}/v1/calls`).then((r) => r.json()) as { count: number }).count === 1, 5_000)).toBe(true)
    const exited = once(core.child, 'exit')
    core.child.kill('SIGTERM')
    expect(await untilDraining(core)).toBe(true)
    await new Promise((ok) => setTimeout(ok, 1_200)) // a second request, not the same Ctrl-C delivered twice
    const sentAt = Date.now()
    core.child.kill('SIGTERM')
    const [code] = (await exited) as [number | null]
    expect(code, core.output().slice(-2000)).toBe(0)
    expect(Date.now() - sentAt).toBeLessThan(15_000)
    await Promise.all([customer.stop(), vendor.stop()])
    const cdrs = await readCdrs(core.database.db, { after: mark, count: 1, timeoutMs: 5_000 })
    expect(cdrs.map(cdrSummary)).toEqual([expect.objectContaining({ reason: 'SystemShutdown', endedBy: 'switch' })])
  }, 60_000)
})
