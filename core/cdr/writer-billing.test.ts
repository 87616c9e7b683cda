// Covers charging in the CDR writer: customer and clearing (vendor) balances move in the CDR's transaction, exactly once however often the journal is replayed.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startSqld } from '../../shared/db/node/test-support/sqld-server.js'
import { applyMigrations, openDatabase, type Database } from '../../shared/db/node/database.js'
import { ManualClock } from '../lib/clock.js'
import { createLogger, type Logger } from '../lib/log.js'
import type { BilledBatch } from '../policy/balance-ledger.js'
import { sampleCdr } from './test-support/records.js'
import { CdrJournal } from './journal.js'
import type { CdrRecord } from './record.js'
import type { CdrInsert } from './cdr-insert.js'
import { INSERT_PATHS } from './test-support/insert-paths.js'
import { CdrWriter } from './writer.js'

let dir: string
let log: Logger
let clock: ManualClock
const cleanups: (() => Promise<void> | void)[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'softswitch-cdr-billing-'))
  log = createLogger({ level: 'error', sink: () => {} })
  clock = new ManualClock()
})

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await rm(dir, { recursive: true, force: true })
})

/** Customer `acc1` (balance 10) and clearing account `vend` (balance 100) behind routing gateway `rg1`. */
async function seed(d: Database): Promise<void> {
  await applyMigrations(d.db)
  const now = 1
  await d.client.batch([
    { sql: `insert into accounts (id, name, type, status, balance, overdraft_limit, max_call_duration_sec, created_at_ms, updated_at_ms) values ('acc1', 'acme', 'prepaid', 'normal', 10, 0, 0, ?, ?), ('vend', 'carrier', 'prepaid', 'normal', 100, 0, 0, ?, ?)`, args: [now, now, now, now] },
    { sql: `insert into routing_gateways (id, name, host, port, transport, prefixes, prefix_mode, priority, line_limit, lock_type, switch_until_connect, stop_switching_codes, protect_route, options_check, mapping_gateway_rule, group_id, clearing_account_id, callee_rewrite, caller_rewrite, media_proxy, created_at_ms, updated_at_ms)
            select 'rg1', 'vendor', '127.0.0.1', 5070, 'udp', '[]', 'extension', 0, 0, 'none', 1, '[]', 0, 0, null, null, 'vend', '{"strip":0,"add":""}', '{"strip":0,"add":""}', 0, 1, 1`, args: [] },
  ], 'write')
}

/** The insert of `path` for `d`, closed after the test. */
function insertInto(d: Database, path: (d: Database) => CdrInsert): CdrInsert {
  const insert = path(d)
  cleanups.push(() => insert.close())
  return insert
}

async function fileDb(): Promise<Database> {
  const d = openDatabase({ url: pathToFileURL(join(dir, 'core.db')).href })
  cleanups.push(() => d.close())
  await seed(d)
  return d
}

async function balances(d: Database): Promise<Record<string, number>> {
  const rs = await d.client.execute('select id, balance from accounts order by id')
  return Object.fromEntries(rs.rows.map((r) => [String(r['id']), Number(r['balance'])]))
}

async function journalWith(records: CdrRecord[]): Promise<CdrJournal> {
  const j = await CdrJournal.open({ dir: join(dir, 'cdr-journal'), log })
  cleanups.push(() => j.close())
  for (const r of records) await j.append(r)
  return j
}

describe.each(INSERT_PATHS)('CdrWriter billing into a local file through %s', (_, path) => {
  it('takes the cost from the customer and the vendor cost from the clearing account in the CDR write, and reports the balances', async () => {
    const d = await fileDb()
    const reports: BilledBatch[] = []
    const a = sampleCdr({ cost: 1.25, vendorCost: 0.5 })
    const b = sampleCdr({ cost: 0.75, vendorCost: 0.25 })
    const free = sampleCdr({ cost: null, vendorCost: null })
    const journal = await journalWith([a, b, free])
    const writer = new CdrWriter({ journal, db: d.db, insert: insertInto(d, path), clock, log, onBilled: (x) => reports.push(x) })
    expect(await writer.drainOnce()).toMatchObject({ kind: 'written', records: 3 })
    expect(await balances(d)).toEqual({ acc1: 8, vend: 99.25 })
    expect(reports).toEqual([{ cdrIds: [a.id, b.id], balances: expect.arrayContaining([{ accountId: 'acc1', balance: 8 }, { accountId: 'vend', balance: 99.25 }]) }])
    const billed = await d.client.execute('select cdr_id, account_id, amount, vendor_account_id, vendor_amount from billed_cdrs order by cdr_id')
    expect(billed.rows.map((r) => ({ ...r }))).toEqual([
      { cdr_id: a.id, account_id: 'acc1', amount: 1.25, vendor_account_id: 'vend', vendor_amount: 0.5 },
      { cdr_id: b.id, account_id: 'acc1', amount: 0.75, vendor_account_id: 'vend', vendor_amount: 0.25 },
    ].sort((x, y) => (x.cdr_id < y.cdr_id ? -1 : 1)))
  })

  it('charges once when the same batch is written again (journal replayed after a crash before the checkpoint)', async () => {
    const d = await fileDb()
    const records = [sampleCdr({ cost: 1, vendorCost: 0.4 }), sampleCdr({ cost: 2, vendorCost: 0.6 })]
    const journal = await journalWith(records)
    const writer = new CdrWriter({ journal, db: d.db, insert: insertInto(d, path), clock, log })
    await writer.drainOnce()
    await journal.commit({ segment: 1, offset: 0 }) // rewind, as a restart before the checkpoint moved would
    expect(await writer.drainOnce()).toMatchObject({ kind: 'written', records: 2 })
    // A fresh writer over a fresh journal holding the same CDRs again (a second replay path).
    const again = await CdrJournal.open({ dir: join(dir, 'cdr-journal-2'), log })
    cleanups.push(() => again.close())
    for (const r of records) await again.append(r)
    await new CdrWriter({ journal: again, db: d.db, insert: insertInto(d, path), clock, log }).drainOnce()
    expect(await balances(d)).toEqual({ acc1: 7, vend: 99 })
    expect((await d.client.execute('select count(*) as n from billed_cdrs')).rows[0]?.['n']).toBe(2)
  })

  it('charges a CDR repeated inside one batch once', async () => {
    const d = await fileDb()
    const r = sampleCdr({ cost: 3, vendorCost: 1 })
    const journal = await journalWith([r, r])
    await new CdrWriter({ journal, db: d.db, insert: insertInto(d, path), clock, log }).drainOnce()
    expect(await balances(d)).toEqual({ acc1: 7, vend: 99 })
  })

})

describe('CdrWriter billing', () => {
  it('moves no balance while the database is down and charges once after it returns', async () => {
    const sqld = await startSqld()
    cleanups.push(() => sqld.dispose())
    const remote = openDatabase({ url: sqld.url })
    cleanups.push(() => remote.close())
    await seed(remote)
    await sqld.stop()
    const journal = await journalWith([sampleCdr({ cost: 2.5, vendorCost: 1.5 })])
    const writer = new CdrWriter({ journal, db: remote.db, clock, log, backoffInitialMs: 10 })
    expect((await writer.drainOnce()).kind).toBe('failed')
    await sqld.start()
    expect(await writer.drainOnce()).toMatchObject({ kind: 'written', records: 1 })
    await journal.commit({ segment: 1, offset: 0 })
    await writer.drainOnce()
    expect(await balances(remote)).toEqual({ acc1: 7.5, vend: 98.5 })
  })

})
