// The fraud guard's daily spend survives a restart: today's costs (in SS_TIMEZONE) of the limited accounts are summed from the written CDRs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cdrs } from '../../shared/db/schema.js'
import { cdrToRow } from '../../shared/entities/cdr.js'
import type { Database } from '../../shared/db/node/database.js'
import { tempDatabase } from '../gateway-reports/test-support/database.js'
import { MemorySpendCounter } from '../policy/call-guards.js'
import { seedSpendToday } from './spend-today.js'
import { sampleCdr } from './test-support/records.js'

let database: Database
let dispose: () => Promise<void>
beforeEach(async () => {
  ;({ database, dispose } = await tempDatabase())
})
afterEach(() => dispose())

describe('seedSpendToday', () => {
  it('adds what each limited account spent since local midnight, not yesterday\'s calls, unpriced ones or other accounts', async () => {
    const now = Date.UTC(2024, 0, 3, 10) // 11:00 in Berlin
    const at = (utcHour: number, over: Parameters<typeof sampleCdr>[0]) => cdrToRow(sampleCdr({ endedAtMs: Date.UTC(2024, 0, 3, utcHour), ...over }))
    await database.db.insert(cdrs).values([
      at(0, { accountId: 'acc1', cost: 1.5 }), // 01:00 Berlin: today
      at(9, { accountId: 'acc1', cost: 2.25 }),
      cdrToRow(sampleCdr({ accountId: 'acc1', cost: 9, endedAtMs: Date.UTC(2024, 0, 2, 22, 30) })), // 23:30 Berlin yesterday
      at(8, { accountId: 'acc1', cost: null }),
      at(8, { accountId: 'acc2', cost: 7 }),
    ])
    const spend = new MemorySpendCounter(() => 'Europe/Berlin')
    expect(await seedSpendToday(database.db, spend, ['acc1'], 'Europe/Berlin', now)).toBe(3.75)
    expect(spend.spent('acc1', now)).toBe(3.75)
    expect(spend.spent('acc2', now)).toBe(0)
  })
})
