// The calls-in-progress publisher against a real libSQL file: heartbeat and rows, only changed calls rewritten, ended calls deleted, a previous run's rows replaced, a clean stop leaves nothing.
import { eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { coreNodes, liveCalls } from '../../shared/db/schema.js'
import type { Database } from '../../shared/db/node/database.js'
import type { CallSummary } from '../call/call.js'
import { tempDatabase } from '../gateway-reports/test-support/database.js'
import { ManualClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { LiveCallsPublisher, MEDIA_REFRESH_MS } from './publisher.js'

let database: Database
let dispose: () => Promise<void>
beforeEach(async () => {
  ;({ database, dispose } = await tempDatabase())
})
afterEach(() => dispose())

function call(id: string, over: Partial<CallSummary> = {}): CallSummary {
  return {
    id, callId: `${id}@pbx`, state: 'routing', caller: '1001', callee: '0044201', mappingGatewayId: 'mg1', routingGatewayId: 'rg1',
    calleeOut: '44201', startedAtMs: 1_000, answeredAtMs: null, attempts: 1, accountId: 'acc1',
    media: { relayed: true, rtpPacketsFromCaller: 0, rtpPacketsFromCallee: 0 }, ...over,
  }
}

function publisher(clock: ManualClock, calls: () => CallSummary[], nodeId = 'node-a') {
  return new LiveCallsPublisher({ db: database.db, clock, log: silentLogger, metrics: new Metrics(), nodeId, periodMs: 1000, calls, draining: () => false })
}

const rows = () => database.db.select().from(liveCalls).orderBy(liveCalls.id)

describe('LiveCallsPublisher', () => {
  it('writes each call and the heartbeat, then only what changed; deletes ended calls', async () => {
    const clock = new ManualClock(10_000)
    let calls = [call('c1'), call('c2')]
    const p = publisher(clock, () => calls)
    expect(await p.publishOnce()).toBe(true)
    expect((await rows()).map((r) => [r.id, r.state, r.updatedAtMs])).toEqual([['c1', 'routing', 10_000], ['c2', 'routing', 10_000]])
    expect(await database.db.select().from(coreNodes)).toEqual([expect.objectContaining({ nodeId: 'node-a', publishedAtMs: 10_000, publishPeriodMs: 1000, activeCalls: 2, draining: false })])

    clock.advance(1000)
    calls = [call('c1', { state: 'connected', answeredAtMs: 10_500, media: { relayed: true, rtpPacketsFromCaller: 50, rtpPacketsFromCallee: 40 } }), call('c2', { media: { relayed: true, rtpPacketsFromCaller: 9, rtpPacketsFromCallee: 9 } })]
    await p.publishOnce()
    const second = await rows()
    expect(second.map((r) => [r.id, r.state, r.updatedAtMs])).toEqual([['c1', 'connected', 11_000], ['c2', 'routing', 10_000]])
    expect(second[0]!.media).toEqual({ relayed: true, rtpPacketsFromCaller: 50, rtpPacketsFromCallee: 40 })
    expect(second[1]!.media).toEqual({ relayed: true, rtpPacketsFromCaller: 0, rtpPacketsFromCallee: 0 })

    clock.advance(MEDIA_REFRESH_MS)
    calls = [calls[1]!]
    await p.publishOnce()
    expect((await rows()).map((r) => [r.id, r.updatedAtMs, r.media?.rtpPacketsFromCaller])).toEqual([['c2', 41_000, 9]])
    expect((await database.db.select().from(coreNodes))[0]).toMatchObject({ publishedAtMs: 41_000, activeCalls: 1 })
  })

  it('replaces what an earlier run of the same node id left, keeps other nodes, and clears its own rows on stop', async () => {
    const clock = new ManualClock(5_000)
    await publisher(clock, () => [call('old1'), call('old2')]).publishOnce()
    await publisher(clock, () => [call('other')], 'node-b').publishOnce()
    const restarted = publisher(clock, () => [call('new1')])
    await restarted.publishOnce()
    expect((await rows()).map((r) => [r.id, r.nodeId])).toEqual([['new1', 'node-a'], ['other', 'node-b']])
    await restarted.stop()
    expect((await rows()).map((r) => r.id)).toEqual(['other'])
    expect((await database.db.select().from(coreNodes)).map((n) => n.nodeId)).toEqual(['node-b'])
  })

  it('reports a failed publish and rewrites everything once the database is back', async () => {
    const clock = new ManualClock(1_000)
    const p = publisher(clock, () => [call('c1')])
    await p.publishOnce()
    await database.db.delete(liveCalls).where(eq(liveCalls.id, 'c1'))
    database.close()
    expect(await p.publishOnce()).toBe(false)
    expect(p.consecutiveFailures).toBe(1)
  })
})
