// A core of four SIP workers on the wire (docs/capacity.md): one customer IP:port spread over every worker with each message of a call at its owner, line limits and a prepaid balance counted exactly by the primary while calls spread over workers, kill -9 of one worker, and a hung worker killed by the watchdog.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CUSTOMER_ACCOUNT, LOCAL_IP_CUSTOMER, cdrSummary, outcome, settle, vendorGateway } from './test-support/call-fixtures.js'
import { brief, cdrMark, readCdrs, writeConfig } from './test-support/config-seed.js'
import { describeSipp, freeUdpPort, metric, runSipp, startCore, startSipp, startSippUas, waitFor, type CoreProcess, type SippProcess, type SippResult } from './test-support/harness.js'

const WORKERS = 4

/** Per Call-ID, the worker mark of the To tag our node gave the caller's INVITE in its final response (build.ts setIdMark). */
function ownersSeen(trace: string): Map<string, number> {
  const owners = new Map<string, number>()
  for (const block of trace.split(/^-{47} .*$/m)) {
    if (!/message received/.test(block.split('\n', 3).join('\n'))) continue
    const status = /^SIP\/2\.0 ([2-6]\d\d)/m.exec(block)?.[1]
    const callId = /^Call-ID:\s*(.+?)\s*$/im.exec(block)?.[1]
    const tag = /^To:.*;tag=([0-9a-z])/im.exec(block)?.[1]
    if (status === undefined || callId === undefined || tag === undefined || !/^CSeq:\s*\d+ INVITE/im.test(block)) continue
    owners.set(callId, parseInt(tag, 36))
  }
  return owners
}

interface Health {
  configVersion: number
  workers: { configured: number; running: number; pids: number[] }
}

async function health(core: CoreProcess): Promise<Health> {
  return (await (await fetch(`http://127.0.0.1:${core.statusPort}/health`)).json()) as Health
}

async function workerPids(core: CoreProcess): Promise<number[]> {
  return (await health(core)).workers.pids
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Starts `calls` calls of `durationMs` from SIPp at 100 calls/s and waits until every one is answered and held. */
async function holdCalls(core: CoreProcess, vendorPort: number, calls: number, durationMs: number): Promise<{ mark: number; vendor: SippProcess; customer: SippProcess }> {
  const mark = await cdrMark(core.database.db)
  const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls, timeoutSec: 30, trace: true })
  const customer = await startSipp({ scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls, rate: 100, service: '6300', durationMs, timeoutSec: 30, trace: true })
  await new Promise((ok) => setTimeout(ok, 1500))
  return { mark, vendor, customer }
}

/** The slot of the gone process `victimPid` runs a new one again, `workers` in all. */
async function expectRestarted(core: CoreProcess, victimPid: number, workers: number): Promise<void> {
  expect(await waitFor(async () => {
    const now = await workerPids(core).catch((): number[] => [])
    return now.length === workers && !now.includes(victimPid)
  }, 20_000), `the worker was started again\n${core.output().slice(-3000)}`).toBe(true)
}

/**
 * After worker `victim` was killed under `calls` held calls: the calls of the other workers end normally, the victim's
 * never get their BYE answered, and every call has one CDR (the victim's closed as SystemShutdown from its journal).
 */
async function expectCallsOutliveTheirWorker(core: CoreProcess, run: { customer: SippProcess; vendor: SippProcess; victim: number; calls: number; mark: number }): Promise<void> {
  const c = await settle(run.customer, 20_000)
  const v = await settle(run.vendor, 10_000)
  const owners = ownersSeen(c.messages)
  const lost = [...owners].filter(([, o]) => o === run.victim).map(([id]) => id)
  const trace = `${describeSipp('customer', c)}\n${describeSipp('vendor', v)}\n${core.output().slice(-3000)}`
  expect(owners.size, trace).toBe(run.calls)
  expect(lost.length, `${trace}\nthe victim must have held calls`).toBeGreaterThan(0)
  expect(c.successful, trace).toBe(run.calls - lost.length)
  const cdrs = await readCdrs(core.database.db, { after: run.mark, count: run.calls, timeoutMs: 20_000, settleMs: 500 })
  const byCall = new Map(cdrs.map((x) => [x.callId, x]))
  expect(cdrs, JSON.stringify(cdrs.map(brief))).toHaveLength(run.calls)
  for (const [id, owner] of owners) {
    expect(byCall.get(id)?.terminationReason, `${id} on worker ${owner}`).toBe(owner === run.victim ? 'SystemShutdown' : 'CallerHangup')
  }
}

describe('a core with four SIP workers', () => {
  let core: CoreProcess
  let vendorPort: number
  const config = (vendorPort: number, lineLimit = 0) => ({
    accounts: [CUSTOMER_ACCOUNT],
    mappingGateways: [{ ...LOCAL_IP_CUSTOMER, lineLimit }],
    routingGateways: [vendorGateway('rgw_vendor', vendorPort)],
  })

  beforeAll(async () => {
    vendorPort = await freeUdpPort()
    core = await startCore({ CORE_WORKERS: String(WORKERS) }, { config: config(vendorPort) })
  })
  afterAll(async () => {
    await core?.stop()
  })

  it('spreads one customer IP:port over every worker and each message of a call reaches its owner: BYE either way, re-INVITE, CANCEL, ACK of a 486, lost INVITEs retransmitted', async () => {
    expect(await workerPids(core)).toHaveLength(WORKERS)
    const flows = [
      { customer: 'uac-call-answered-expect-200.xml', vendor: 'uas-invite-answer-expect-bye.xml' },
      { customer: 'uac-call-bye-from-callee-expect-200.xml', vendor: 'uas-invite-answer-then-bye-expect-200.xml' },
      { customer: 'uac-call-reinvite-expect-200.xml', vendor: 'uas-reinvite-accept-expect-bye.xml' },
      { customer: 'uac-cancel-after-ringing-expect-487.xml', vendor: 'uas-invite-ring-expect-cancel.xml' },
      { customer: 'uac-invite-expect-486.xml', vendor: 'uas-invite-reject-486.xml' },
    ]
    const CALLS = 12
    const localPort = await freeUdpPort()
    const owners = new Set<number>()
    for (const [i, f] of flows.entries()) {
      const mark = await cdrMark(core.database.db)
      const vendor = await startSippUas({ scenario: f.vendor, port: vendorPort, calls: CALLS, timeoutSec: 30, trace: true, durationMs: 200 })
      const customer = await runSipp({ scenario: f.customer, target: core.target, localPort, calls: CALLS, rate: 50, service: `61${i}0`, durationMs: 200, timeoutSec: 30, trace: true })
      const v = await settle(vendor, 10_000)
      const trace = `${describeSipp(`customer ${f.customer}`, customer)}\n${describeSipp(`vendor ${f.vendor}`, v)}`
      expect(outcome(customer), trace).toEqual({ ok: CALLS, failed: 0 })
      expect(outcome(v), trace).toEqual({ ok: CALLS, failed: 0 })
      const cdrs = await readCdrs(core.database.db, { after: mark, count: CALLS, timeoutMs: 10_000, settleMs: 300 })
      expect(cdrs, `${trace}\n${JSON.stringify(cdrs.map(brief))}`).toHaveLength(CALLS)
      for (const o of ownersSeen(customer.messages).values()) owners.add(o)
    }
    // The caller's INVITEs are retransmitted (and its ACKs and BYEs lost) at 10% loss: each copy finds the call it belongs to.
    const mark = await cdrMark(core.database.db)
    const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: 30, timeoutSec: 40, trace: true })
    const lossy: SippResult = await runSipp({
      scenario: 'uac-call-answered-expect-200.xml', target: core.target, localPort, calls: 30, rate: 30, service: '6190', durationMs: 200, timeoutSec: 40, lostPercent: 10, trace: true,
    })
    const v = await settle(vendor, 15_000)
    const trace = `${describeSipp('lossy customer', lossy)}\n${describeSipp('vendor', v)}`
    expect(outcome(lossy), trace).toEqual({ ok: 30, failed: 0 })
    expect(outcome(v), trace).toEqual({ ok: 30, failed: 0 })
    expect(lossy.retransmissions, trace).toBeGreaterThan(0)
    const cdrs = await readCdrs(core.database.db, { after: mark, count: 30, timeoutMs: 15_000, settleMs: 500 })
    // One call per Call-ID: a retransmitted INVITE handled by another worker would have made a second call.
    expect(cdrs.map(cdrSummary), trace).toEqual(Array.from({ length: 30 }, () => expect.objectContaining({ reason: 'CallerHangup', sipCode: 200 })))
    expect(new Set(cdrs.map((c) => c.callId)).size).toBe(30)
    for (const o of ownersSeen(lossy.messages).values()) owners.add(o)
    expect([...owners].sort(), 'the calls of one IP:port land on every worker').toEqual([0, 1, 2, 3])
  }, 180_000)

  it('holds a mapping gateway to its line limit exactly while its calls arrive at once', async () => {
    await core.updateConfig(config(vendorPort, 5))
    try {
      const mark = await cdrMark(core.database.db)
      const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: 5, timeoutSec: 30, trace: true })
      const customer = await runSipp({ scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: 20, rate: 200, service: '6200', durationMs: 3000, timeoutSec: 30, trace: true })
      const v = await settle(vendor, 10_000)
      const trace = `${describeSipp('customer', customer)}\n${describeSipp('vendor', v)}`
      expect(outcome(customer), trace).toEqual({ ok: 5, failed: 15 })
      const cdrs = await readCdrs(core.database.db, { after: mark, count: 20, timeoutMs: 15_000, settleMs: 300 })
      const reasons = cdrs.map((c) => c.terminationReason).sort()
      expect(reasons, trace).toEqual([...Array<string>(5).fill('CallerHangup'), ...Array<string>(15).fill('CallLimitExceeded')].sort())
    } finally {
      await core.updateConfig(config(vendorPort))
    }
  }, 60_000)

  it('gives a routing gateway with line limit 10 exactly 10 of 20 concurrent attempts spread over the workers, and the vendor never sees an eleventh', async () => {
    const LIMIT = 10
    await core.updateConfig({ ...config(vendorPort), routingGateways: [vendorGateway('rgw_vendor', vendorPort, { lineLimit: LIMIT })] })
    try {
      const takesBefore = await metric(core, 'softswitch_limits_take_seconds_count')
      const mark = await cdrMark(core.database.db)
      // An eleventh INVITE would be an unexpected message at the vendor: a failed call there.
      const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: LIMIT, timeoutSec: 30, trace: true })
      const customer = await runSipp({
        scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: 2 * LIMIT, rate: 200, limit: 2 * LIMIT, service: '6250', durationMs: 3000, timeoutSec: 30, trace: true,
      })
      const v = await settle(vendor, 10_000)
      const trace = `${describeSipp('customer', customer)}\n${describeSipp('vendor', v)}`
      expect(outcome(customer), trace).toEqual({ ok: LIMIT, failed: LIMIT })
      expect(outcome(v), trace).toEqual({ ok: LIMIT, failed: 0 })
      const cdrs = await readCdrs(core.database.db, { after: mark, count: 2 * LIMIT, timeoutMs: 15_000, settleMs: 300 })
      const reasons = cdrs.map((c) => c.terminationReason).sort()
      expect(reasons, trace).toEqual([...Array<string>(LIMIT).fill('AllGatewayBusy'), ...Array<string>(LIMIT).fill('CallerHangup')])
      // The attempts were admitted on several workers (their To tags name them), each taking its lines from the primary.
      const owners = new Set(ownersSeen(customer.messages).values())
      expect(owners.size, `workers seen: ${[...owners].join(', ')}`).toBeGreaterThan(1)
      expect(await metric(core, 'softswitch_limits_take_seconds_count')).toBeGreaterThanOrEqual(takesBefore + 2 * LIMIT)
    } finally {
      await core.updateConfig(config(vendorPort))
    }
  }, 60_000)

  it('restarts a worker killed with kill -9 under load: the other workers keep their calls and every call has exactly one CDR', async () => {
    const pids = await workerPids(core)
    expect(pids).toHaveLength(WORKERS)
    const victim = 1
    const victimPid = pids[victim]!
    const CALLS = 40
    const { mark, vendor, customer } = await holdCalls(core, vendorPort, CALLS, 4000)
    process.kill(victimPid, 'SIGKILL')
    expect(await waitFor(async () => !alive(victimPid), 10_000), 'the killed worker is gone').toBe(true)
    await expectRestarted(core, victimPid, WORKERS)
    await expectCallsOutliveTheirWorker(core, { customer, vendor, victim, calls: CALLS, mark })
  }, 90_000)
  it("lets a prepaid account's calls, spread over every worker, reserve no more than its one balance", async () => {
    // Balance 0.3 at 0.6/min, calls capped at 10 s: each answered call reserves 0.1, so 3 of 12 concurrent calls.
    const PAID = 3
    await core.updateConfig({
      ...config(vendorPort),
      params: { SS_MAXCALLDURATION: 10 },
      rateTables: [{ id: 'rt_prepaid', name: 'prepaid' }],
      rates: [{ id: 'rate_prepaid', rateTableId: 'rt_prepaid', prefix: '', pricePerMinute: 0.6, firstIncrementSec: 1, nextIncrementSec: 1 }],
      accounts: [{ ...CUSTOMER_ACCOUNT, type: 'prepaid', balance: 0.3, rateTableId: 'rt_prepaid' }],
    })
    try {
      const mark = await cdrMark(core.database.db)
      const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: PAID, timeoutSec: 30 })
      const customer = await runSipp({ scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: 12, rate: 100, limit: 12, service: '6500', durationMs: 2000, timeoutSec: 30, trace: true })
      const v = await settle(vendor, 10_000)
      const trace = `${describeSipp('customer', customer)}\n${describeSipp('vendor', v)}`
      const owners = new Set(ownersSeen(customer.messages).values())
      expect(owners.size, `workers seen: ${[...owners].join(', ')}`).toBeGreaterThan(1)
      expect(outcome(customer), trace).toEqual({ ok: PAID, failed: 12 - PAID })
      expect(outcome(v), trace).toEqual({ ok: PAID, failed: 0 })
      const cdrs = await readCdrs(core.database.db, { after: mark, count: 12, timeoutMs: 15_000, settleMs: 300 })
      const why = `${trace}\n${JSON.stringify(cdrs.map(brief))}`
      expect(cdrs.map((c) => c.terminationReason).sort(), why).toEqual([...Array<string>(PAID).fill('CallerHangup'), ...Array<string>(12 - PAID).fill('AccountBalanceNotEnough')].sort())
      expect(cdrs.reduce((n, c) => n + (c.cost ?? 0), 0), why).toBeLessThanOrEqual(0.3)
    } finally {
      await core.updateConfig(config(vendorPort))
    }
  }, 60_000)

  it('refuses an account past its daily spend on every worker once a call on one of them spent it', async () => {
    const limited = { ...CUSTOMER_ACCOUNT, rateTableId: 'rt_spend', dailySpendLimit: 0.5 }
    await core.updateConfig({
      ...config(vendorPort),
      rateTables: [{ id: 'rt_spend', name: 'spend' }],
      // A minute's first increment: the one answered call costs 1, over the limit of 0.5.
      rates: [{ id: 'rate_spend', rateTableId: 'rt_spend', prefix: '6', pricePerMinute: 1 }],
      accounts: [limited],
    })
    try {
      const mark = await cdrMark(core.database.db)
      const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, calls: 1, timeoutSec: 30 })
      const first = await runSipp({ scenario: 'uac-call-answered-expect-200.xml', target: core.target, calls: 1, service: '6400', durationMs: 200, timeoutSec: 20 })
      expect(outcome(first), describeSipp('first call', first)).toEqual({ ok: 1, failed: 0 })
      await settle(vendor, 10_000)
      const refused = await runSipp({ scenario: 'uac-invite-expect-403.xml', target: core.target, calls: 12, rate: 50, service: '6401', timeoutSec: 20, trace: true })
      const owners = new Set(ownersSeen(refused.messages).values())
      expect(outcome(refused), describeSipp('after the limit', refused)).toEqual({ ok: 12, failed: 0 })
      expect(owners.size, `workers seen: ${[...owners].join(', ')}`).toBeGreaterThan(1)
      const cdrs = await readCdrs(core.database.db, { after: mark, count: 13, timeoutMs: 15_000, settleMs: 300 })
      expect(cdrs.map((c) => c.terminationReason).sort()).toEqual(['CallerHangup', ...Array<string>(12).fill('DailySpendLimitExceeded')])
    } finally {
      await core.updateConfig({ ...config(vendorPort), accounts: [{ ...limited, rateTableId: null, dailySpendLimit: 0 }] })
    }
  }, 60_000)

  it('does not report a config version in force while a worker that has not loaded it stays silent', async () => {
    const pids = await workerPids(core)
    const before = (await health(core)).configVersion
    // A stopped worker neither loads the new config nor answers the primary's health question.
    process.kill(pids[1]!, 'SIGSTOP')
    try {
      const version = await writeConfig(core.database.db, config(vendorPort))
      // The primary's next poll sends it to every worker; the three running ones load it, the stopped one cannot.
      expect(await waitFor(async () => (await health(core)).workers.running < WORKERS, 15_000)).toBe(true)
      const seen: number[] = []
      for (let i = 0; i < 3; i++) seen.push((await health(core)).configVersion)
      expect(seen.every((v) => v < version), `config versions reported while a worker was stopped: ${seen.join(', ')}`).toBe(true)
      expect(Math.min(...seen)).toBeGreaterThanOrEqual(before)
    } finally {
      process.kill(pids[1]!, 'SIGCONT')
    }
    expect(await waitFor(async () => {
      const h = await health(core)
      return h.workers.running === WORKERS && h.configVersion > before
    }, 15_000)).toBe(true)
  }, 60_000)
})

describe('a core whose worker hangs', () => {
  let core: CoreProcess
  let vendorPort: number

  beforeAll(async () => {
    vendorPort = await freeUdpPort()
    core = await startCore({ CORE_WORKERS: '2', CORE_WORKER_HANG_MS: '2000' }, {
      config: { accounts: [CUSTOMER_ACCOUNT], mappingGateways: [LOCAL_IP_CUSTOMER], routingGateways: [vendorGateway('rgw_vendor', vendorPort)] },
    })
  })
  afterAll(async () => {
    await core?.stop()
  })

  it('kills a worker that answers nothing for CORE_WORKER_HANG_MS and starts it again: the other worker keeps its calls and every call has one CDR', async () => {
    const pids = await workerPids(core)
    expect(pids).toHaveLength(2)
    const victim = 0
    const victimPid = pids[victim]!
    const CALLS = 20
    const { mark, vendor, customer } = await holdCalls(core, vendorPort, CALLS, 6000)
    // A stopped process is what a worker stuck in a loop looks like to the primary: it answers nothing and never exits.
    process.kill(victimPid, 'SIGSTOP')
    const stoppedAt = Date.now()
    expect(await waitFor(async () => !alive(victimPid), 10_000), `the hung worker is gone\n${core.output().slice(-3000)}`).toBe(true)
    const goneAfterMs = Date.now() - stoppedAt
    // Silence counts from the worker's last message, which a ping (every quarter of the period) may have drawn up to 500 ms before the stop.
    expect(goneAfterMs, 'not killed before CORE_WORKER_HANG_MS less one ping period').toBeGreaterThanOrEqual(1_400)
    await expectRestarted(core, victimPid, 2)
    expect(await metric(core, 'softswitch_worker_hang_kills_total')).toBe(1)
    await expectCallsOutliveTheirWorker(core, { customer, vendor, victim, calls: CALLS, mark })
  }, 90_000)
})
