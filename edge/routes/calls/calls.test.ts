// /v1/calls against the live_calls/core_nodes/call_hangups contract; the core's half (publish, claim, end the call) is played here by writing rows the way core/live does and is tested there against the same tables.
import { and, eq } from 'drizzle-orm'
import { afterEach, describe, expect, it } from 'vitest'
import { callHangups, coreNodes, liveCalls } from '../../../shared/db/schema.js'
import { useHarness, type Harness } from '../../test-support/harness.js'

/** Publishes `calls` for `nodeId` as a core would at `publishedAtMs`. */
async function publish(h: Harness, nodeId: string, publishedAtMs: number, calls: Partial<typeof liveCalls.$inferInsert>[]): Promise<void> {
  await h.db.insert(coreNodes).values({ nodeId, publishedAtMs, publishPeriodMs: 1000, activeCalls: calls.length, draining: false, startedAtMs: publishedAtMs - 60_000 })
  for (const [i, c] of calls.entries()) {
    await h.db.insert(liveCalls).values({
      id: `cdr_${nodeId}_${i}`, nodeId, callId: `call-${i}@x`, state: 'connected', caller: '1001', callee: '0044201', calleeOut: '44201',
      accountId: 'acc_1', mappingGatewayId: 'mgw_1', routingGatewayId: 'rgw_1', startedAtMs: publishedAtMs - 30_000,
      answeredAtMs: publishedAtMs - 25_000, attempts: 1, media: { relayed: true, rtpPacketsFromCaller: 100, rtpPacketsFromCallee: 90 },
      updatedAtMs: publishedAtMs, ...c,
    })
  }
}

/** Plays the owning core: claims its pending hang-ups every 20 ms and answers `status` (bounded by stop()). */
function owningCore(h: Harness, nodeId: string, status: 'done' | 'failed') {
  let stopped = false
  const loop = (async () => {
    for (let i = 0; i < 500 && !stopped; i++) {
      const pending = await h.db.select().from(callHangups).where(and(eq(callHangups.nodeId, nodeId), eq(callHangups.status, 'pending')))
      for (const p of pending) {
        await h.db.update(callHangups).set({ status, completedAtMs: Date.now(), error: status === 'failed' ? 'the call already ended' : null })
          .where(and(eq(callHangups.id, p.id), eq(callHangups.status, 'pending')))
        if (status === 'done') await h.db.delete(liveCalls).where(eq(liveCalls.id, p.callId))
      }
      await new Promise((ok) => setTimeout(ok, 20))
    }
  })()
  return { stop: async () => { stopped = true; await loop } }
}

describe('/v1/calls', () => {
  const h = useHarness()
  let core: ReturnType<typeof owningCore> | undefined
  afterEach(async () => {
    await core?.stop()
    core = undefined
  })

  it('lists the calls of every live node with durations, and leaves out a node that stopped publishing', async () => {
    const now = Date.now()
    await publish(h(), 'core-a', now, [{}, { state: 'early', answeredAtMs: null, routingGatewayId: 'rgw_2', startedAtMs: now - 5_000 }])
    await publish(h(), 'core-dead', now - 60_000, [{}])
    const res = await h().request('GET', '/v1/calls', { as: 'viewer' })
    expect(res.status).toBe(200)
    expect(res.body.total).toBe(2)
    expect(res.body.items.map((c: any) => c.id)).toEqual(['cdr_core-a_1', 'cdr_core-a_0'])
    expect(res.body.items[1]).toMatchObject({ nodeId: 'core-a', state: 'connected', media: { relayed: true, rtpPacketsFromCaller: 100 } })
    const { durationSec, talkSec } = res.body.items[1]
    expect([durationSec - 30, talkSec - 25]).toEqual([durationSec - 30, durationSec - 30])
    expect(durationSec - 30).toBeGreaterThanOrEqual(0)
    expect(durationSec - 30).toBeLessThan(10)
    expect(res.body.items[0]).toMatchObject({ state: 'early', talkSec: null, answeredAt: null })
    expect(res.body.nodes.map((n: any) => [n.nodeId, n.stale])).toEqual([['core-a', false], ['core-dead', true]])
    expect((await h().request('GET', '/v1/calls/cdr_core-dead_0')).status).toBe(404)
    expect((await h().request('GET', '/v1/calls/cdr_core-a_0')).body).toMatchObject({ callId: 'call-0@x' })
  })

  it('filters by either-side gateway, state and limit while total counts every match', async () => {
    const now = Date.now()
    await publish(h(), 'core-a', now, [{}, { routingGatewayId: 'rgw_2' }, { mappingGatewayId: 'mgw_2', state: 'routing' }])
    const ids = async (q: string) => (await h().request('GET', `/v1/calls?${q}`)).body.items.map((c: any) => c.id).sort()
    expect(await ids('gatewayId=rgw_2')).toEqual(['cdr_core-a_1'])
    expect(await ids('gatewayId=mgw_2')).toEqual(['cdr_core-a_2'])
    expect(await ids('state=routing')).toEqual(['cdr_core-a_2'])
    const limited = await h().request('GET', '/v1/calls?limit=1')
    expect([limited.body.items.length, limited.body.total]).toEqual([1, 3])
  })

  it('hangs a call up through its owning node and audits who did it', async () => {
    await publish(h(), 'core-a', Date.now(), [{}])
    core = owningCore(h(), 'core-a', 'done')
    const res = await h().request('POST', '/v1/calls/cdr_core-a_0/hangup', { body: {} })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ callId: 'cdr_core-a_0', nodeId: 'core-a', status: 'done', requestedByKeyId: expect.stringMatching(/^key_/) })
    expect((await h().request('GET', '/v1/calls/cdr_core-a_0/hangup', { as: 'viewer' })).body).toEqual(res.body)
    const [entry] = (await h().request('GET', '/v1/audit?action=hangup')).body.items
    expect(entry).toMatchObject({ resource: 'calls', resourceId: 'cdr_core-a_0', keyName: 'test admin', before: { caller: '1001' }, after: { status: 'done' } })
  })

  it('answers 202 while the node has not acted, and expires the request once it is a minute old', async () => {
    await publish(h(), 'core-a', Date.now(), [{}])
    const res = await h().request('POST', '/v1/calls/cdr_core-a_0/hangup', { body: { waitMs: 100 } })
    expect([res.status, res.body.status]).toEqual([202, 'pending'])
    await h().db.update(callHangups).set({ requestedAtMs: Date.now() - 61_000 }).where(eq(callHangups.id, res.body.id))
    const later = await h().request('GET', '/v1/calls/cdr_core-a_0/hangup')
    expect(later.body).toMatchObject({ status: 'failed', error: expect.stringContaining('expired') })
  })

  it('returns 404 for a call not in progress, 403 for a viewer, 400 for a bad waitMs', async () => {
    await publish(h(), 'core-a', Date.now(), [{}])
    expect((await h().request('POST', '/v1/calls/cdr_none/hangup', { body: {} })).status).toBe(404)
    expect((await h().request('POST', '/v1/calls/cdr_core-a_0/hangup', { body: {}, as: 'viewer' })).status).toBe(403)
    expect((await h().request('POST', '/v1/calls/cdr_core-a_0/hangup', { body: { waitMs: -1 } })).status).toBe(400)
    expect(await h().db.select().from(callHangups)).toEqual([])
  })
})
