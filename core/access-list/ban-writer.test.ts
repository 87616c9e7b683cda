// Automatic bans reach ip_access_list (reason, count, expiry, node) in a real libSQL file, a repeat updates the same row, the snapshot loader reads them back, and forgotten ones are pruned.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ipAccessList } from '../../shared/db/schema.js'
import type { Database } from '../../shared/db/node/database.js'
import { readSnapshotInput } from '../config/loader.js'
import { buildSnapshot } from '../config/snapshot.js'
import { tempDatabase } from '../gateway-reports/test-support/database.js'
import { ManualClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import type { Ban } from '../policy/guard/ban-store.js'
import { BanWriter } from './ban-writer.js'

let database: Database
let dispose: () => Promise<void>
beforeEach(async () => {
  ;({ database, dispose } = await tempDatabase())
})
afterEach(() => dispose())

const ban = (ip: string, offences: number, sinceMs: number, untilMs: number): Ban =>
  ({ ip, reason: 'auth_failures', offences, sinceMs, untilMs, forgetAtMs: untilMs + 1000, persistedAtMs: null })

describe('BanWriter', () => {
  it('upserts each ban by address, marks it persisted, and the next snapshot carries it with its count', async () => {
    const clock = new ManualClock(1_000_000)
    const writer = new BanWriter({ db: database.db, clock, log: silentLogger, nodeId: 'core-a', forgetAfterMs: () => 86_400_000 })
    const first = ban('203.0.113.5', 1, 1_000_000, 1_600_000)
    writer.onBan(first)
    writer.onBan(ban('2001:db8::5', 1, 1_000_000, 1_600_000))
    await writer.stop()
    expect(first.persistedAtMs).toBe(1_000_000)
    const again = ban('203.0.113.5', 2, 2_000_000, 3_200_000)
    const second = new BanWriter({ db: database.db, clock, log: silentLogger, nodeId: 'core-b', forgetAfterMs: () => 86_400_000 })
    second.onBan(again)
    await second.stop()
    const rows = await database.db.select().from(ipAccessList)
    expect(rows.map((r) => [r.cidr, r.origin, r.reason, r.offences, r.expiresAtMs, r.nodeId]).sort()).toEqual([
      ['2001:db8::5/128', 'core', 'auth_failures', 1, 1_600_000, 'core-a'],
      ['203.0.113.5/32', 'core', 'auth_failures', 2, 3_200_000, 'core-b'],
    ])
    const snapshot = buildSnapshot(await readSnapshotInput(database, 0))
    expect(snapshot.accessList.blacklisted('203.0.113.5', 3_000_000)).toMatchObject({ offences: 2 })
    expect(snapshot.accessList.blacklisted('203.0.113.5', 3_200_000)).toBeUndefined()
    expect(snapshot.accessList.blacklistByCidr.get('203.0.113.5/32')).toMatchObject({ offences: 2 })
  })

  it('deletes automatic bans that ended longer than SS_AUTH_BAN_TIME_MAX ago, never an operator\'s entry', async () => {
    await database.db.insert(ipAccessList).values([
      { id: 'old', list: 'blacklist', cidr: '203.0.113.1/32', reason: 'request_flood', origin: 'core', note: null, offences: 1, expiresAtMs: 100, nodeId: 'x', createdAtMs: 0, updatedAtMs: 0 },
      { id: 'op', list: 'blacklist', cidr: '203.0.113.2/32', reason: 'manual', origin: 'operator', note: null, offences: 0, expiresAtMs: 100, nodeId: null, createdAtMs: 0, updatedAtMs: 0 },
    ])
    const writer = new BanWriter({ db: database.db, clock: new ManualClock(5_000), log: silentLogger, nodeId: 'core-a', forgetAfterMs: () => 1_000 })
    writer.onBan(ban('203.0.113.9', 1, 5_000, 9_000))
    await writer.stop()
    expect((await database.db.select().from(ipAccessList)).map((r) => r.id).sort()).toEqual(['op', expect.stringMatching(/^ban_/)].sort())
  })
})
