// CDRs that are never lost, on the wire: docs/architecture.md "CDRs that are never lost" (journal first, then libSQL; a database outage or kill -9 loses no record; calls up at a crash close as SystemShutdown on restart).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSqld, type SqldServer } from '../../shared/db/node/test-support/sqld-server.js'
import { CUSTOMER_ACCOUNT, LOCAL_IP_CUSTOMER, cdrSummary, outcome, settle, vendorGateway } from './test-support/call-fixtures.js'
import { brief, cdrMark, readCdrs } from './test-support/config-seed.js'
import { describeSipp, freeUdpPort, metric, runSipp, startCore, startSipp, startSippUas, waitFor, type CoreProcess } from './test-support/harness.js'

const config = (vendorPort: number) => ({
  accounts: [CUSTOMER_ACCOUNT],
  mappingGateways: [LOCAL_IP_CUSTOMER],
  routingGateways: [vendorGateway('rgw_vendor', vendorPort)],
})

describe('CDRs while the database server is down', () => {
  let sqld: SqldServer
  let core: CoreProcess
  let vendorPort: number

  beforeAll(async () => {
    sqld = await startSqld()
    vendorPort = await freeUdpPort()
    core = await startCore({}, { databaseUrl: sqld.url, config: config(vendorPort) })
  })
  afterAll(async () => {
    await core?.stop()
    await sqld?.dispose()
  })

  it('carries calls while sqld is stopped and writes their CDRs once it is back', async () => {
    const CALLS = 3
    const mark = await cdrMark(core.database.db)
    await sqld.stop()
    const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: CALLS, timeoutSec: 20, trace: true })
    const customer = await runSipp({
      scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: CALLS, rate: 10, service: '5100', durationMs: 100, timeoutSec: 20, trace: true,
    })
    const v = await settle(vendor, 5_000)
    expect(outcome(customer), describeSipp('customer', customer)).toEqual({ ok: CALLS, failed: 0 })
    expect(outcome(v), describeSipp('vendor', v)).toEqual({ ok: CALLS, failed: 0 })
    // nothing can reach the database: the backlog shows on /metrics, with its age and the writer's failures
    expect(await waitFor(async () => (await metric(core, 'softswitch_cdr_writer_failures_total')) > 0, 5_000)).toBe(true)
    expect(await metric(core, 'softswitch_cdr_journal_backlog_records')).toBe(CALLS)
    expect(await metric(core, 'softswitch_cdr_journal_backlog_bytes')).toBeGreaterThan(CALLS * 200)
    expect(await waitFor(async () => (await metric(core, 'softswitch_cdr_journal_oldest_unwritten_age_seconds')) >= 0.5, 5_000)).toBe(true)
    expect(await metric(core, 'softswitch_cdr_writer_consecutive_failures')).toBeGreaterThan(0)
    await sqld.start()
    const cdrs = await readCdrs(core.database.db, { after: mark, count: CALLS, timeoutMs: 30_000, settleMs: 500 })
    expect(await waitFor(async () => (await metric(core, 'softswitch_cdr_journal_backlog_records')) === 0, 5_000)).toBe(true)
    expect(await metric(core, 'softswitch_cdr_journal_backlog_bytes')).toBe(0)
    expect(await metric(core, 'softswitch_cdr_journal_oldest_unwritten_age_seconds')).toBe(0)
    expect(await metric(core, 'softswitch_cdr_writer_consecutive_failures')).toBe(0)
    expect(cdrs.map(cdrSummary), JSON.stringify(cdrs.map(brief))).toEqual(
      Array.from({ length: CALLS }, () => expect.objectContaining({ reason: 'CallerHangup', sipCode: 200, routingGatewayId: 'rgw_vendor' })),
    )
    expect(new Set(cdrs.map((c) => c.callId)).size).toBe(CALLS)
  }, 60_000)
})

describe('CDRs across a kill -9', () => {
  let core: CoreProcess
  let vendorPort: number

  beforeAll(async () => {
    vendorPort = await freeUdpPort()
    core = await startCore({}, { config: config(vendorPort) })
  })
  afterAll(async () => {
    await core?.stop()
  })

  it('closes a call that was up when the core was killed as SystemShutdown after the restart, keeping its answer time', async () => {
    const mark = await cdrMark(core.database.db)
    const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, timeoutSec: 15, trace: true })
    const customer = await startSipp({
      scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: 1, service: '5200', durationMs: 30_000, timeoutSec: 15, trace: true,
    })
    await new Promise((ok) => setTimeout(ok, 1000)) // answered within milliseconds on loopback; the open-call journal has it
    await core.kill()
    const [c, v] = await Promise.all([customer.stop(), vendor.stop()])
    await core.restart()
    const [cdr] = await readCdrs(core.database.db, { after: mark, count: 1, timeoutMs: 15_000 })
    expect(await metric(core, 'softswitch_cdr_recovered_calls_at_start')).toBe(1)
    const trace = `${describeSipp('customer', c)}\n${describeSipp('vendor', v)}\n${core.output().slice(-3000)}`
    expect(cdr, trace).toMatchObject({ terminationReason: 'SystemShutdown', endedBy: 'switch', mappingGatewayId: LOCAL_IP_CUSTOMER.id })
    expect(cdr!.answeredAtMs, trace).not.toBeNull()
    expect(cdr!.routingGatewayId, trace).toBe('rgw_vendor')
  }, 60_000)

  it('finds exactly one CDR for every call the caller saw answered or admitted (100 Trying), over three kill -9 rounds under load', async () => {
    for (let round = 0; round < 3; round++) {
      const mark = await cdrMark(core.database.db)
      const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: 500, timeoutSec: 20 })
      const customer = await startSipp({
        scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: 500, rate: 100, service: `53${round}0`, durationMs: 700, timeoutSec: 20, trace: true,
      })
      await new Promise((ok) => setTimeout(ok, 1200 + 300 * round)) // calls ended, up and in set-up at once
      await core.kill()
      const [c] = await Promise.all([customer.stop(), vendor.stop()])
      const seen = callsSeen(c.messages)
      expect(seen.answered.size, `round ${round}: the load must have calls answered before the kill`).toBeGreaterThan(20)
      await core.restart()
      const owed = new Set([...seen.admitted, ...seen.answered])
      await readCdrs(core.database.db, { after: mark, count: owed.size, timeoutMs: 20_000 })
      await new Promise((ok) => setTimeout(ok, 500))
      const cdrs = await readCdrs(core.database.db, { after: mark, count: owed.size })
      const perCall = new Map<string, number>()
      for (const x of cdrs) perCall.set(x.callId, (perCall.get(x.callId) ?? 0) + 1)
      const wrong = [...owed].filter((id) => perCall.get(id) !== 1).map((id) => `${id}: ${perCall.get(id) ?? 0}`)
      console.info(`kill -9 round ${round}: ${seen.answered.size} answered, ${seen.admitted.size} admitted at the caller, ${cdrs.length} CDRs, ${cdrs.filter((x) => x.terminationReason === 'SystemShutdown').length} SystemShutdown`)
      expect(wrong, `round ${round}`).toEqual([])
      expect([...perCall.values()].every((n) => n === 1), `round ${round}: a call with two CDRs`).toBe(true)
    }
  }, 180_000)
})

/** Call-IDs whose INVITE the caller saw answered (200) and admitted (100 Trying), from SIPp's message trace. */
function callsSeen(trace: string): { answered: Set<string>; admitted: Set<string> } {
  const answered = new Set<string>()
  const admitted = new Set<string>()
  for (const block of trace.split(/^-{47} .*$/m)) {
    if (!/message received/.test(block.split('\n', 3).join('\n'))) continue
    const status = /^SIP\/2\.0 (\d{3})/m.exec(block)?.[1]
    const callId = /^Call-ID:\s*(.+?)\s*$/im.exec(block)?.[1]
    if (status === undefined || callId === undefined || !/^CSeq:\s*\d+ INVITE/im.test(block)) continue
    if (status === '200') answered.add(callId)
    else if (status === '100') admitted.add(callId)
  }
  return { answered, admitted }
}
