// Digest and the source screen on a core of four SIP workers (docs/capacity.md "Every message at its owner"): one password gateway's calls spread over every worker with each credentialed INVITE at its nonce's issuer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CUSTOMER_ACCOUNT, outcome, settle, vendorGateway } from './test-support/call-fixtures.js'
import { brief, cdrMark, readCdrs, type MappingGatewaySeed } from './test-support/config-seed.js'
import { describeSipp, freeUdpPort, runSipp, startCore, startSippUas, type CoreProcess } from './test-support/harness.js'

const WORKERS = 4
const USER = { username: 'pw-gateway', password: 'pw-secret' }
const PASSWORD_GATEWAY: MappingGatewaySeed = { id: 'mgw_pw', name: 'by-password', accountId: CUSTOMER_ACCOUNT.id, authMode: 'password', ...USER }

/** Per Call-ID, the worker mark of the To tag in our final response to the INVITE with credentials (build.ts setIdMark). */
function answeredBy(trace: string): Map<string, number> {
  const owners = new Map<string, number>()
  for (const block of trace.split(/^-{47} .*$/m)) {
    if (!/message received/.test(block.split('\n', 3).join('\n'))) continue
    const callId = /^Call-ID:\s*(.+?)\s*$/im.exec(block)?.[1]
    const tag = /^To:.*;tag=([0-9a-z])/im.exec(block)?.[1]
    if (!/^SIP\/2\.0 200/m.test(block) || callId === undefined || tag === undefined || !/^CSeq:\s*2 INVITE/im.test(block)) continue
    owners.set(callId, parseInt(tag, 36))
  }
  return owners
}

describe('digest and the screen on four SIP workers', () => {
  let core: CoreProcess
  let vendorPort: number

  beforeAll(async () => {
    vendorPort = await freeUdpPort()
    core = await startCore({ CORE_WORKERS: String(WORKERS) }, {
      config: {
        accounts: [CUSTOMER_ACCOUNT],
        mappingGateways: [PASSWORD_GATEWAY],
        routingGateways: [vendorGateway('rgw_vendor', vendorPort)],
      },
    })
  })
  afterAll(async () => {
    await core?.stop()
  })

  it("answers every digest call of one IP:port on whichever worker it lands: SIPp's credentials (cnonce before nonce) reach the nonce's issuer", async () => {
    const CALLS = 40
    const mark = await cdrMark(core.database.db)
    const vendor = await startSippUas({ scenario: 'uas-cps-answer-expect-bye.xml', port: vendorPort, calls: CALLS, timeoutSec: 40, trace: true })
    const customer = await runSipp({
      scenario: 'uac-cps-digest-call-expect-200.xml', target: core.target, calls: CALLS, rate: 40, service: '7100', durationMs: 200, timeoutSec: 40, trace: true, auth: USER,
    })
    const v = await settle(vendor, 10_000)
    const trace = `${describeSipp('customer', customer)}\n${describeSipp('vendor', v)}`
    expect(outcome(customer), trace).toEqual({ ok: CALLS, failed: 0 })
    const cdrs = await readCdrs(core.database.db, { after: mark, count: CALLS, timeoutMs: 10_000, settleMs: 300 })
    expect(cdrs.map((c) => c.terminationReason), JSON.stringify(cdrs.map(brief))).toEqual(Array<string>(CALLS).fill('CallerHangup'))
    expect(new Set(answeredBy(customer.messages).values()).size, 'the calls land on more than one worker').toBeGreaterThan(1)
  }, 90_000)
})
