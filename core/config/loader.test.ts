// Covers loading and live reload of the config snapshot on a real migrated libSQL file, driven by the manual clock.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { accounts, mappingGateways, routingGateways, systemParameters } from '../../shared/db/schema.js'
import { accountCreate, accountToRow } from '../../shared/entities/account.js'
import { mappingGatewayCreate, mappingGatewayToRow } from '../../shared/entities/mapping-gateway.js'
import { routingGatewayCreate, routingGatewayToRow } from '../../shared/entities/routing-gateway.js'
import { applyMigrations, openDatabase, type Database } from '../../shared/db/node/database.js'
import { ManualClock } from '../lib/clock.js'
import { createLogger, type Logger } from '../lib/log.js'
import { startSqld } from '../../shared/db/node/test-support/sqld-server.js'
import { ConfigLoader, type ConfigObserver } from './loader.js'
import { findMappingGatewayBySource, type ConfigSnapshot } from './snapshot.js'

let dir: string
let database: Database
let clock: ManualClock
let lines: Record<string, unknown>[]
let log: Logger
let loader: ConfigLoader

async function bumpVersion(): Promise<void> {
  await database.client.execute(
    'insert into config_version (id, version, updated_at_ms) values (1, 1, 0) on conflict(id) do update set version = version + 1',
  )
}

async function seed(): Promise<void> {
  const acc = accountToRow(accountCreate.parse({ name: 'acme' }), { id: 'acc1', nowMs: 1 })
  await database.db.insert(accounts).values(acc)
  await database.db.insert(mappingGateways).values([
    mappingGatewayToRow(mappingGatewayCreate.parse({ name: 'ip-gw', accountId: 'acc1', authMode: 'ip', ips: ['192.0.2.1'] }), { id: 'mg1', nowMs: 1, realm: 'softswitch' }),
    mappingGatewayToRow(mappingGatewayCreate.parse({ name: 'port-gw', accountId: 'acc1', authMode: 'ip_port', ips: ['192.0.2.1'], port: 5070 }), { id: 'mg2', nowMs: 1, realm: 'softswitch' }),
    mappingGatewayToRow(mappingGatewayCreate.parse({ name: 'pw-gw', accountId: 'acc1', authMode: 'password', username: 'alice', password: 'secret' }), { id: 'mg3', nowMs: 1, realm: 'softswitch' }),
  ])
  await database.db.insert(routingGateways).values(
    routingGatewayToRow(routingGatewayCreate.parse({ name: 'vendor', host: '198.51.100.7', prefixes: ['0033'] }), { id: 'rg1', nowMs: 1 }),
  )
  await database.db.insert(systemParameters).values({ name: 'SS_MAXCALLDURATION', value: 3600, updatedAtMs: 1 })
  await bumpVersion()
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'softswitch-core-config-'))
  database = openDatabase({ url: pathToFileURL(join(dir, 'core.db')).href })
  await applyMigrations(database.db)
  clock = new ManualClock()
  lines = []
  log = createLogger({ level: 'debug', sink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) })
  loader = new ConfigLoader({ source: database, clock, log, reloadMs: 1000, now: () => 42 })
})

afterEach(async () => {
  loader.stop()
  database.close()
  await rm(dir, { recursive: true, force: true })
})

/** Moves the manual clock one reload period and waits for the poll it triggers. */
async function nextPoll(): Promise<void> {
  clock.advance(1000)
  await loader.settled()
}

describe('ConfigLoader', () => {
  it('loads params, gateways and the source/username lookups at start', async () => {
    await seed()
    const s = await loader.start()
    expect(s.version).toBe(1)
    expect(s.params.SS_MAXCALLDURATION).toBe(3600)
    expect(s.params.SS_SIP_TIMEOUT_INVITE).toBe(10) // default
    expect(s.accounts.get('acc1')?.name).toBe('acme')
    expect(findMappingGatewayBySource(s, '192.0.2.1', 5070)?.id).toBe('mg2')
    expect(findMappingGatewayBySource(s, '192.0.2.1', 5060)?.id).toBe('mg1')
    expect(findMappingGatewayBySource(s, '192.0.2.9', 5060)).toBeUndefined()
    expect(s.mappingGatewaysByUsername.get('alice')?.ha1Md5).toMatch(/^[0-9a-f]{32}$/)
    expect(s.routingGateways.get('rg1')?.prefixes).toEqual(['0033'])
    expect(Object.isFrozen(s.routingGateways.get('rg1')?.prefixes)).toBe(true)
  })

  it('loads an empty database as version 0 with default params', async () => {
    const s = await loader.start()
    expect(s.version).toBe(0)
    expect(s.params.SS_SESSION_EXPIRES).toBe(1800)
    expect(s.mappingGateways.size).toBe(0)
  })

  it('swaps in a new snapshot after the version is bumped, while holders keep the old one', async () => {
    await seed()
    const first = await loader.start()
    const swaps: [number, number][] = []
    const observer: ConfigObserver = { onConfigSwap: (next, prev) => swaps.push([prev.version, next.version]) }
    loader.observe(observer)

    await database.db.insert(systemParameters).values({ name: 'SS_CALLREMINTIME', value: 30, updatedAtMs: 2 })
    await nextPoll() // not bumped yet: nothing changes
    expect(loader.current).toBe(first)

    await bumpVersion()
    await nextPoll()
    const second: ConfigSnapshot = loader.current
    expect(second).not.toBe(first)
    expect(second.version).toBe(2)
    expect(second.params.SS_CALLREMINTIME).toBe(30)
    expect(first.params.SS_CALLREMINTIME).toBe(0) // a call in progress keeps its snapshot
    expect(swaps).toEqual([[1, 2]])
  })

  it('excludes and logs a row that fails validation or decoding, keeping the rest', async () => {
    await seed()
    await database.client.execute("update routing_gateways set port = 0 where id = 'rg1'")
    await database.client.execute("update mapping_gateways set ips = '[not json' where id = 'mg1'")
    await database.client.execute("insert into system_parameters (name, value, updated_at_ms) values ('SS_SIP_TIMEOUT_INVITE', '\"ten\"', 1)")
    const s = await loader.start()
    expect(s.routingGateways.has('rg1')).toBe(false)
    expect(s.mappingGateways.has('mg1')).toBe(false)
    expect(s.mappingGateways.has('mg2')).toBe(true)
    expect(s.params.SS_SIP_TIMEOUT_INVITE).toBe(10)
    expect(s.issues.map((i) => `${i.table}/${i.id}/${i.effect}`).sort()).toEqual([
      'mapping_gateways/mg1/excluded', 'routing_gateways/rg1/excluded', 'system_parameters/SS_SIP_TIMEOUT_INVITE/defaulted',
    ])
    expect(lines.filter((l) => l['msg'] === 'config row ignored or defaulted')).toHaveLength(3)
  })

  it('keeps the old snapshot when the database fails and swaps once it works again', async () => {
    await seed()
    const first = await loader.start()
    await database.client.execute('alter table accounts rename to accounts_away')
    await bumpVersion()
    await nextPoll()
    expect(loader.current).toBe(first)
    expect(loader.consecutiveFailures).toBe(1)
    expect(lines.some((l) => l['msg'] === 'config reload failed; keeping the current snapshot')).toBe(true)

    await database.client.execute('alter table accounts_away rename to accounts')
    await nextPoll()
    expect(loader.current.version).toBe(2)
    expect(loader.consecutiveFailures).toBe(0)
  })

  it('rejects start() with ConfigLoadError when the first load fails', async () => {
    await database.client.execute('drop table gateway_groups')
    await expect(loader.start()).rejects.toMatchObject({ name: 'ConfigLoadError' })
  })

  it('syncs an embedded replica before reading, so a change at the primary is picked up', async () => {
    const sqld = await startSqld()
    const primary = openDatabase({ url: sqld.url })
    const replica = openDatabase({ url: pathToFileURL(join(dir, 'replica.db')).href, syncUrl: sqld.url })
    try {
      await applyMigrations(primary.db)
      const replicaLoader = new ConfigLoader({ source: replica, clock, log, reloadMs: 1000 })
      expect((await replicaLoader.start()).version).toBe(0)
      await primary.client.execute("insert into system_parameters (name, value, updated_at_ms) values ('SS_MAXCALLDURATION', '90', 1)")
      await primary.client.execute('insert into config_version (id, version, updated_at_ms) values (1, 1, 0)')
      clock.advance(1000)
      await replicaLoader.settled()
      expect(replicaLoader.current.version).toBe(1)
      expect(replicaLoader.current.params.SS_MAXCALLDURATION).toBe(90)
      replicaLoader.stop()
    } finally {
      replica.close()
      primary.close()
      await sqld.dispose()
    }
  })
})
