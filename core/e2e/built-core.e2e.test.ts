// The core as production runs it (`npm start`, `npm run start:core`, the Dockerfile): built by core/build.ts and started by plain node, with no TypeScript loader in any of its processes; it migrates, forks its workers and carries a call to its CDR.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processTree } from './test-support/proc-stats.js'
import { CUSTOMER_ACCOUNT, LOCAL_IP_CUSTOMER, cdrSummary, outcome, runCall, vendorGateway } from './test-support/call-fixtures.js'
import { freeUdpPort, startCore, type CoreProcess } from './test-support/harness.js'

describe('the built core', () => {
  let core: CoreProcess
  let vendorPort: number

  beforeAll(async () => {
    vendorPort = await freeUdpPort()
    core = await startCore({ CORE_WORKERS: '2' }, {
      built: true,
      config: { accounts: [CUSTOMER_ACCOUNT], mappingGateways: [LOCAL_IP_CUSTOMER], routingGateways: [vendorGateway('rgw_vendor', vendorPort)] },
    })
  })
  afterAll(async () => {
    await core?.stop()
  })

  it('runs its primary and both workers from .build/ with plain node: no tsx, no esbuild service', () => {
    const commands = processTree(core.child.pid!).map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== ''))
    expect(commands.map((c) => c.find((a) => a.endsWith('.js'))?.split('/').slice(-3).join('/')).sort()).toEqual(['.build/core/main.js', '.build/core/worker.js', '.build/core/worker.js'])
    expect(commands.flat().filter((a) => /tsx|esbuild/.test(a))).toEqual([])
  })

  it('carries a call from the customer to the vendor and writes its CDR', async () => {
    const r = await runCall({
      core,
      customer: { scenario: 'uac-call-answered-expect-200.xml', service: '1200', durationMs: 100 },
      vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort }],
    })
    expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
    expect(cdrSummary(r.cdrs[0]), r.trace).toMatchObject({ routingGatewayId: 'rgw_vendor' })
  })
})
