// Covers the core half of POST /v1/routing-gateways/{id}/network-test through the database: a pending network_tests row is claimed once, probed with OPTIONS and completed with sent/received/loss/RTT; stale requests expire.
import { eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { networkTests } from '../../shared/db/schema.js'
import { networkTestFromRow } from '../../shared/entities/network-test.js'
import type { Database } from '../../shared/db/node/database.js'
import { OptionsChecker } from '../gateway-probes/options-checker.js'
import { SystemClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { buildResponse } from '../sip/message/build.js'
import { parseMessage } from '../sip/message/parse.js'
import { serializeMessage } from '../sip/message/serialize.js'
import { RecordingCore } from '../sip/transaction/test-support/loop-stack.js'
import { TransactionLayer } from '../sip/transaction/layer.js'
import { LoopNetwork } from '../transport/loop.js'
import { liveSnapshot, tempDatabase } from './test-support/database.js'
import { NetworkTestRunner } from './network-test-runner.js'

let database: Database
let dispose: () => Promise<void>
const clock = new SystemClock()
beforeEach(async () => {
  ;({ database, dispose } = await tempDatabase())
})
afterEach(() => dispose())

/** A checker on the loop network (no clock: deliveries on microtasks) with a gateway at 127.0.0.2:5070 answering 200. */
function runner(nodeId = 'node-a') {
  const net = new LoopNetwork()
  // T1 10 ms: an unanswered probe ends with Timer F after 640 ms
  const layer = new TransactionLayer({ clock, user: new RecordingCore(), metrics: new Metrics(), timers: { T1: 10, T2: 40, T4: 50 } })
  const local = net.open(layer, '127.0.0.1', 5060)
  const gw = net.open({
    onMessage(buf, from) {
      const r = parseMessage(buf)
      if (r.ok && r.message.isRequest) gw.send(serializeMessage(buildResponse(r.message, 200)), from)
    },
  }, '127.0.0.2', 5070)
  const checker = new OptionsChecker({ clock, log: silentLogger, metrics: new Metrics() })
  checker.start(layer, local, liveSnapshot([]))
  return new NetworkTestRunner({ db: database.db, clock, log: silentLogger, nodeId, prober: checker })
}

const request = (id: string, requestedAtMs: number, host = '127.0.0.2') => ({
  id, routingGatewayId: 'rg1', host, port: 5070, count: 3, intervalMs: 20, status: 'pending' as const, requestedAtMs,
})

/** Polls the row until it leaves pending/running (bounded). */
async function finished(id: string) {
  for (let i = 0; i < 100; i++) {
    const [row] = await database.db.select().from(networkTests).where(eq(networkTests.id, id))
    if (row !== undefined && row.status !== 'pending' && row.status !== 'running') return row
    await new Promise((ok) => setTimeout(ok, 20))
  }
  throw new Error(`network test ${id} did not finish`)
}

describe('NetworkTestRunner', () => {
  it('claims a pending request, probes the gateway and writes { sent, received, lossRatio, rttMs }', async () => {
    await database.db.insert(networkTests).values(request('nt1', Math.floor(clock.now())))
    const r = runner()
    expect(await r.pollOnce()).toBe(1)
    const row = await finished('nt1')
    expect(networkTestFromRow(row)).toMatchObject({ status: 'done', sent: 3, received: 3, lossRatio: 0, lastCode: 200, nodeId: 'node-a', rttMs: { min: expect.any(Number), avg: expect.any(Number), max: expect.any(Number) } })
    await r.stop()
  })

  it('lets exactly one of two cores claim a request', async () => {
    await database.db.insert(networkTests).values(request('nt2', Math.floor(clock.now())))
    const [a, b] = [runner('node-a'), runner('node-b')]
    const claimed = await Promise.all([a.pollOnce(), b.pollOnce()])
    expect(claimed[0]! + claimed[1]!).toBe(1)
    await finished('nt2')
    await Promise.all([a.stop(), b.stop()])
  })

  it('fails a request nobody claimed within a minute as expired, without probing', async () => {
    await database.db.insert(networkTests).values(request('nt3', Math.floor(clock.now()) - 61_000))
    const r = runner()
    expect(await r.pollOnce()).toBe(0)
    expect(await finished('nt3')).toMatchObject({ status: 'failed', error: 'expired: no core claimed it in time', sent: null })
  })

  it('reports full loss and no RTT for an address nobody answers on', async () => {
    await database.db.insert(networkTests).values({ ...request('nt4', Math.floor(clock.now()), '127.0.0.7'), count: 2 })
    const r = runner()
    await r.pollOnce()
    expect(networkTestFromRow(await finished('nt4'))).toMatchObject({ status: 'done', sent: 2, received: 0, lossRatio: 1, rttMs: null })
  })
})
