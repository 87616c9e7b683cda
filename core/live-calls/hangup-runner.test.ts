// The core half of POST /v1/calls/{id}/hangup through the database: this node's pending request is claimed once and its call ended; other nodes' and expired requests are left alone.
import { eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { callHangups } from '../../shared/db/schema.js'
import type { Database } from '../../shared/db/node/database.js'
import { tempDatabase } from '../gateway-reports/test-support/database.js'
import { ManualClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { HangupRunner } from './hangup-runner.js'

let database: Database
let dispose: () => Promise<void>
beforeEach(async () => {
  ;({ database, dispose } = await tempDatabase())
})
afterEach(() => dispose())

/** Calls c1 and c2 in progress; `ended` records what the runner hung up. */
function node(nodeId = 'node-a') {
  const live = new Set(['c1', 'c2'])
  const ended: string[] = []
  const runner = new HangupRunner({
    db: database.db, clock: new ManualClock(50_000), log: silentLogger, nodeId, pollMs: 100,
    calls: { has: (id) => live.has(id), hangup: (id) => (live.delete(id) ? (ended.push(id), true) : false) },
  })
  return { runner, ended }
}

const request = (id: string, callId: string, nodeId: string, status: 'pending' | 'failed' = 'pending') =>
  database.db.insert(callHangups).values({ id, callId, nodeId, status, requestedAtMs: 49_000, requestedByKeyId: 'key_1' })

describe('HangupRunner', () => {
  it("ends this node's call once, marks the request done and leaves other nodes' requests pending", async () => {
    await request('h1', 'c1', 'node-a')
    await request('h2', 'c9', 'node-b')
    const a = node('node-a')
    expect(await a.runner.pollOnce()).toBe(1)
    expect(a.ended).toEqual(['c1'])
    expect(await a.runner.pollOnce()).toBe(0)
    const [h1] = await database.db.select().from(callHangups).where(eq(callHangups.id, 'h1'))
    expect(h1).toMatchObject({ status: 'done', completedAtMs: 50_000, error: null })
    const [h2] = await database.db.select().from(callHangups).where(eq(callHangups.id, 'h2'))
    expect(h2?.status).toBe('pending')
  })

  it('fails a request for a call that already ended, and does not act on one the edge expired', async () => {
    await request('h1', 'c-gone', 'node-a')
    await request('h2', 'c2', 'node-a', 'failed')
    const a = node('node-a')
    expect(await a.runner.pollOnce()).toBe(0)
    expect(a.ended).toEqual([])
    const [h1] = await database.db.select().from(callHangups).where(eq(callHangups.id, 'h1'))
    expect(h1).toMatchObject({ status: 'failed', error: 'the call is no longer in progress on this node' })
  })

  it('claims a request once when two runners of the same node poll together', async () => {
    await request('h1', 'c1', 'node-a')
    const a = node('node-a')
    const b = node('node-a')
    const [x, y] = await Promise.all([a.runner.pollOnce(), b.runner.pollOnce()])
    expect(x + y).toBe(1)
    expect([...a.ended, ...b.ended]).toEqual(['c1'])
  })
})
