// Covers docs/operations.md "Several core nodes": registration bindings published through a real redis-server, so a customer gateway registered at one node is known by its source on another, until it unregisters or expires, and again after Redis restarts empty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDatabase } from '../gateway-reports/test-support/database.js'
import { SystemClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { SharedState } from '../shared-state/shared-state.js'
import { startRedis, type RedisServer } from '../shared-state/test-support/redis-server.js'
import { until } from '../shared-state/test-support/until.js'
import type { RemoteAddr } from '../transport/types.js'
import { BindingTable, type Binding } from './bindings.js'
import { SharedBindings } from './shared-bindings.js'
import { BindingStore } from './store.js'

let redis: RedisServer
const cleanups: (() => Promise<void>)[] = []

async function node(id: string, onRemote?: (gatewayId: string, bindings: readonly Binding[]) => void) {
  const { database, dispose } = await tempDatabase()
  const clock = new SystemClock()
  const shared = new SharedState({ url: redis.url, nodeId: id, ttlMs: 10_000, clock, log: silentLogger, metrics: new Metrics() })
  const local = new BindingTable(clock)
  const bindings = new SharedBindings(local, new BindingStore(database.db, id), shared, clock, silentLogger, { pollMs: 50, ...(onRemote === undefined ? {} : { onRemote }) })
  shared.start()
  await until(() => shared.up)
  bindings.start()
  cleanups.push(async () => {
    bindings.stop()
    await shared.stop()
    clock.stop()
    await dispose()
  })
  /** What the registrar does after a REGISTER: its table, then the storage. */
  const register = async (gatewayId: string, list: Binding[]): Promise<void> => {
    local.set('mapping', gatewayId, list)
    await bindings.replace('mapping', gatewayId, list)
  }
  return { shared, bindings, register }
}

const PBX: RemoteAddr = { address: '127.0.0.2', port: 5070, family: 'IPv4' }

function binding(gatewayId: string, source: RemoteAddr, ttlMs: number): Binding {
  const now = Date.now()
  return {
    id: `b-${gatewayId}`, kind: 'mapping', gatewayId, aor: `sip:${gatewayId}@switch`, contact: `sip:pbx@${source.address}:${source.port}`, q: null,
    expiresAtMs: now + ttlMs, callId: 'c1', cseq: 1, userAgent: null, source, transport: 'udp', registeredAtMs: now, updatedAtMs: now,
  }
}

beforeAll(async () => {
  redis = await startRedis()
})

afterAll(async () => {
  for (const c of cleanups) await c()
  await redis.stop()
})

describe('SharedBindings against a real redis-server', () => {
  it('identifies a customer gateway registered at another node by its source, until it unregisters or its binding expires', async () => {
    const a = await node('reg-a')
    // What a primary of several workers passes on to them.
    const heard: [string, number][] = []
    const b = await node('reg-b', (gatewayId, list) => heard.push([gatewayId, list.length]))
    expect(b.bindings.mappingGatewayAt(PBX)).toBeUndefined()
    await a.register('mgDyn', [binding('mgDyn', PBX, 60_000)])
    await until(() => b.bindings.mappingGatewayAt(PBX) === 'mgDyn')
    expect(b.bindings.mappingGatewayAt({ ...PBX, port: 5071 })).toBeUndefined()
    expect(heard).toEqual([['mgDyn', 1]])
    expect(b.bindings.remoteBindings().map((x) => x.gatewayId)).toEqual(['mgDyn'])
    await a.register('mgDyn', [])
    await until(() => b.bindings.mappingGatewayAt(PBX) === undefined)
    expect(heard).toEqual([['mgDyn', 1], ['mgDyn', 0]])
    expect(b.bindings.remoteBindings()).toEqual([])
    // A binding is known elsewhere only until its expiry, whether or not its node says anything more.
    const other: RemoteAddr = { ...PBX, port: 5072 }
    await a.register('mgShort', [binding('mgShort', other, 1_500)])
    await until(() => b.bindings.mappingGatewayAt(other) === 'mgShort')
    await until(() => b.bindings.mappingGatewayAt(other) === undefined)
  })

  it('publishes its bindings again when Redis comes back empty', async () => {
    const a = await node('reg-c')
    const b = await node('reg-d')
    const source: RemoteAddr = { ...PBX, port: 5080 }
    await a.register('mgBack', [binding('mgBack', source, 60_000)])
    await until(() => b.bindings.mappingGatewayAt(source) === 'mgBack')
    await redis.stop()
    await redis.start()
    const fresh = await node('reg-e')
    await until(() => fresh.bindings.mappingGatewayAt(source) === 'mgBack')
  })
})
