// Covers the live status publisher (docs/architecture.md "Live state"): one gateway_status row per routing and mapping gateway with OPTIONS state, current calls and rolling calls per second; removed gateways deleted; db errors survived.
import { asc } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { gatewayStatus } from '../../shared/db/schema.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import type { Database } from '../../shared/db/node/database.js'
import { ProbeState } from '../gateway-probes/probe-state.js'
import { ManualClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { LineCounters } from '../policy/limits.js'
import { liveSnapshot, tempDatabase } from './test-support/database.js'
import { StatusPublisher } from './status-publisher.js'

let database: Database
let dispose: () => Promise<void>
beforeEach(async () => {
  ;({ database, dispose } = await tempDatabase())
})
afterEach(() => dispose())

function bench(snapshotRef: { s: ConfigSnapshot }, nodeId = 'node-a') {
  const clock = new ManualClock(1_000_000)
  const lines = new LineCounters()
  const probe = new ProbeState()
  const metrics = new Metrics()
  const publisher = new StatusPublisher({
    db: database.db, clock, log: silentLogger, metrics, nodeId,
    sources: { snapshot: () => snapshotRef.s, lines, probe: (id) => (id === 'rg1' ? probe : undefined) },
  })
  return { clock, lines, probe, publisher, metrics }
}

describe('StatusPublisher', () => {
  it('upserts one row per routing and mapping gateway with online state, RTT, loss, current calls and node id', async () => {
    const snap = liveSnapshot()
    const b = bench({ s: snap })
    b.probe.record({ ok: false, why: 'timeout' }, 999_000, { failuresToOffline: 1, successesToOnline: 1 })
    b.lines.takeIngress('mg1')
    b.lines.tryTakeTarget(snap, 'mg1', { routingGatewayId: 'rg2', groupId: null })
    expect(await b.publisher.publishOnce()).toBe(true)
    const rows = await database.db.select().from(gatewayStatus).orderBy(asc(gatewayStatus.gatewayId))
    expect(rows).toEqual([
      { kind: 'mapping', gatewayId: 'mg1', online: true, lastCheckAtMs: null, rttMs: null, lossRatio: null, lastCode: null, currentCalls: 1, callsPerSec: 0, nodeId: 'node-a', updatedAtMs: 1_000_000 },
      { kind: 'routing', gatewayId: 'rg1', online: false, lastCheckAtMs: 999_000, rttMs: null, lossRatio: 1, lastCode: null, currentCalls: 0, callsPerSec: 0, nodeId: 'node-a', updatedAtMs: 1_000_000 },
      expect.objectContaining({ kind: 'routing', gatewayId: 'rg2', online: true, currentCalls: 1 }),
    ])
  })

  it('keeps one row per node for the same gateway, so several nodes never overwrite each other', async () => {
    const snap = liveSnapshot()
    const a = bench({ s: snap }, 'node-a')
    const b = bench({ s: snap }, 'node-b')
    a.lines.takeIngress('mg1')
    for (let i = 0; i < 3; i++) b.lines.takeIngress('mg1')
    await a.publisher.publishOnce()
    await b.publisher.publishOnce()
    await a.publisher.publishOnce()
    const rows = await database.db.select().from(gatewayStatus).orderBy(asc(gatewayStatus.gatewayId), asc(gatewayStatus.nodeId))
    expect(rows.filter((r) => r.gatewayId === 'mg1').map((r) => [r.nodeId, r.currentCalls])).toEqual([['node-a', 1], ['node-b', 3]])
  })

  it('reports rolling calls per second from the lines taken between publishes', async () => {
    const snap = liveSnapshot()
    const b = bench({ s: snap })
    await b.publisher.publishOnce()
    for (let i = 0; i < 10; i++) b.lines.takeIngress('mg1')
    b.clock.advance(5_000)
    await b.publisher.publishOnce()
    const [row] = await database.db.select().from(gatewayStatus).orderBy(asc(gatewayStatus.gatewayId)).limit(1)
    expect(row).toMatchObject({ gatewayId: 'mg1', callsPerSec: 2, currentCalls: 10, updatedAtMs: 1_005_000 })
  })

  it('deletes its rows of gateways removed from the config and keeps the other rows in place', async () => {
    const ref = { s: liveSnapshot() }
    const b = bench(ref)
    await b.publisher.publishOnce()
    ref.s = liveSnapshot(['rg1'])
    b.probe.record({ ok: true, rttMs: 12, status: 200 }, 1_000_000, { failuresToOffline: 1, successesToOnline: 1 })
    await b.publisher.publishOnce()
    const rows = await database.db.select().from(gatewayStatus).orderBy(asc(gatewayStatus.gatewayId))
    expect(rows.map((r) => [r.kind, r.gatewayId, r.rttMs])).toEqual([['mapping', 'mg1', null], ['routing', 'rg1', 12]])
  })

  it('survives a database error: returns false, counts it, and publishes again once the database is back', async () => {
    const b = bench({ s: liveSnapshot() })
    database.close()
    expect(await b.publisher.publishOnce()).toBe(false)
    expect(b.publisher.consecutiveFailures).toBe(1)
    expect(b.metrics.get('live_status_publish_failures_total')?.get()).toBe(1)
  })

  it('publishes every period on the clock once started', async () => {
    const b = bench({ s: liveSnapshot() })
    b.publisher.start()
    for (let i = 0; i < 3; i++) {
      await new Promise((ok) => setTimeout(ok, 20))
      b.clock.advance(5_000)
    }
    await b.publisher.stop()
    expect(b.metrics.get('live_status_publishes_total')?.get()).toBeGreaterThanOrEqual(3)
  })
})
