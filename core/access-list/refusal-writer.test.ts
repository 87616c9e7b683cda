// Refused-attempt counts reach auth_refusals in a real libSQL file: two processes' counts merge into the same rows, a flood of sources stays within the per-bucket bound, a failed flush is retried once, old rows are pruned.
import { sql } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { authRefusals } from '../../shared/db/schema.js'
import { AUTH_REFUSAL_BUCKET_MS, AUTH_REFUSAL_KEEP_MS } from '../../shared/db/tables/auth-refusals.js'
import type { Database } from '../../shared/db/node/database.js'
import { tempDatabase } from '../gateway-reports/test-support/database.js'
import { ManualClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import type { AuthRefusal } from '../policy/guard/auth-refusals.js'
import { REFUSAL_MAX_KEYS, RefusalTally } from '../policy/guard/refusal-tally.js'
import { RefusalWriter } from './refusal-writer.js'

let database: Database
let dispose: () => Promise<void>
beforeEach(async () => {
  ;({ database, dispose } = await tempDatabase())
})
afterEach(() => dispose())

const T0 = 1_700_000_100_000 - (1_700_000_100_000 % AUTH_REFUSAL_BUCKET_MS)
const refusal = (o: Partial<AuthRefusal> = {}): AuthRefusal =>
  ({ atMs: T0 + 1000, sourceIp: '203.0.113.7', sourcePort: 5060, reason: 'wrong_password', mappingGatewayId: 'mgw_a', username: 'alice', ...o })

function writer(tally: RefusalTally, clock: ManualClock): RefusalWriter {
  return new RefusalWriter({ db: database.db, clock, log: silentLogger, metrics: new Metrics(), tally, periodMs: 1000 })
}

describe('RefusalWriter', () => {
  it('adds the counts of two processes (workers or nodes) into the same rows, and a second flush adds only what is new', async () => {
    const clock = new ManualClock(T0 + 5000)
    const [a, b] = [new RefusalTally(), new RefusalTally()]
    for (let i = 0; i < 3; i++) a.onAuthRefused(refusal({ sourcePort: 40_000 + i, atMs: T0 + 100 + i }))
    b.onAuthRefused(refusal({ atMs: T0 + 50 }))
    b.onAuthRefused(refusal({ reason: 'unknown_user', mappingGatewayId: null, username: 'root' }))
    await writer(a, clock).flush()
    await writer(b, clock).flush()
    a.onAuthRefused(refusal({ atMs: T0 + 4000 }))
    await writer(a, clock).flush()
    const rows = await database.db.select().from(authRefusals).orderBy(authRefusals.reason)
    expect(rows).toEqual([
      { bucketMs: T0, mappingGatewayId: 'mgw_a', sourceIp: '203.0.113.7', reason: 'wrong_password', attempts: 5, distinctPorts: 4, distinctUsers: 1, topPort: 40_000, firstAtMs: T0 + 50, lastAtMs: T0 + 4000 },
      { bucketMs: T0, mappingGatewayId: '', sourceIp: '203.0.113.7', reason: 'unknown_user', attempts: 1, distinctPorts: 1, distinctUsers: 1, topPort: 5060, firstAtMs: T0 + 1000, lastAtMs: T0 + 1000 },
    ].sort((x, y) => x.reason.localeCompare(y.reason)))
  })

  it(`writes at most ${REFUSAL_MAX_KEYS} rows per bucket for a flood of 50,000 sources over two buckets, every attempt counted`, async () => {
    const clock = new ManualClock(T0)
    const tally = new RefusalTally()
    const w = writer(tally, clock)
    for (let i = 0; i < 50_000; i++) {
      const atMs = T0 + Math.floor((i / 50_000) * 2 * AUTH_REFUSAL_BUCKET_MS)
      tally.onAuthRefused(refusal({ atMs, sourceIp: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, mappingGatewayId: i % 3 === 0 ? null : `mgw_${i % 50}`, reason: i % 3 === 0 ? 'unknown_user' : 'wrong_password', username: `u${i % 1000}` }))
      if (i % 5000 === 4999) {
        clock.advance(atMs - clock.now())
        await w.flush()
      }
    }
    clock.advance(T0 + 2 * AUTH_REFUSAL_BUCKET_MS - clock.now())
    await w.flush()
    const perBucket = await database.db.all<{ bucketMs: number; rows: number; attempts: number }>(
      sql`select bucket_ms as bucketMs, count(*) as rows, sum(attempts) as attempts from auth_refusals group by 1 order by 1`)
    expect(perBucket.map((b) => b.bucketMs)).toEqual([T0, T0 + AUTH_REFUSAL_BUCKET_MS])
    for (const b of perBucket) expect(b.rows).toBeLessThanOrEqual(REFUSAL_MAX_KEYS)
    expect(perBucket.reduce((s, b) => s + b.attempts, 0)).toBe(50_000)
    expect(tally.keys).toBe(0)
  })

  it('keeps the counts of a failed flush and writes them once when the database is back', async () => {
    const clock = new ManualClock(T0 + 2000)
    const tally = new RefusalTally()
    const w = writer(tally, clock)
    tally.onAuthRefused(refusal())
    await database.client.execute('alter table auth_refusals rename to auth_refusals_away')
    expect(await w.flush()).toBe(false)
    tally.onAuthRefused(refusal())
    await database.client.execute('alter table auth_refusals_away rename to auth_refusals')
    expect(await w.flush()).toBe(true)
    expect(await w.flush()).toBe(true)
    expect((await database.db.select().from(authRefusals)).map((r) => r.attempts)).toEqual([2])
  })

  it('deletes rows whose last attempt is older than the keep time', async () => {
    const old = T0 - AUTH_REFUSAL_KEEP_MS - AUTH_REFUSAL_BUCKET_MS
    await database.db.insert(authRefusals).values({ bucketMs: old, mappingGatewayId: '', sourceIp: '198.51.100.1', reason: 'unknown_source', attempts: 1, distinctPorts: 1, distinctUsers: 0, topPort: 5060, firstAtMs: old, lastAtMs: old })
    const tally = new RefusalTally()
    tally.onAuthRefused(refusal())
    await writer(tally, new ManualClock(T0 + 2000)).flush()
    expect((await database.db.select().from(authRefusals)).map((r) => r.sourceIp)).toEqual(['203.0.113.7'])
  })
})
