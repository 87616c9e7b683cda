// One node's link to the Valkey/Redis that several core nodes share: connection, heartbeat, full resync of what this node holds, and the per-node share of each limit while Redis cannot be reached.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import type { Clock, TimerHandle } from '../lib/clock.js'
import type { Logger } from '../lib/log.js'
import type { CounterSeries, Histogram, Metrics } from '../lib/metrics.js'
import { AMOUNT_LUA, ENTRY_PUT_LUA, ENTRY_READ_LUA, HEARTBEAT_LUA, RELEASE_LUA, RESERVE_LUA, SYNC_LUA, TAKE_LUA, TOTALS_LUA } from './scripts.js'

/** Every key lives under one hash tag, so a Redis Cluster keeps them in one slot and the scripts may touch several. */
export const KEY_PREFIX = '{ss}:'

/** Answer slower than this and the command counts as failed: the call is decided on this node's share instead. */
export const COMMAND_TIMEOUT_MS = 250

/** Shared entries (bans, username locks): the index by write sequence, its counter, and each entry's key prefix. */
const ENTRIES = { index: KEY_PREFIX + 'e', seq: KEY_PREFIX + 'e:seq', prefix: KEY_PREFIX + 'e:' }

/** Entries read per poll at most (the next poll goes on from there). */
const ENTRIES_PER_READ = 1_000

/** A node silent this long after its expiry loses its entries everywhere (they stopped counting long before). */
const REAP_AFTER_MS = 600_000

/** Something of this node that Redis mirrors: every key it holds with its amount, for a full resync. */
export interface HoldSource {
  holds(): Iterable<readonly [key: string, amount: number]>
}

/** Whether a hold taken at some moment is in Redis now and must be given back there. */
export interface SharedHold {
  /** The resync generation when the hold was taken locally. */
  readonly gen: number
  /** Redis confirmed it took the hold. */
  confirmed: boolean
  /** The primary's name for a worker's hold (core/cluster/limits-link.ts); Redis needs none. */
  readonly id?: number
}

/** How the node counts shared limits now. */
export type SharedMode = 'redis' | 'fallback'

/** Options of the link. */
export interface SharedStateOptions {
  url: string
  nodeId: string
  /** A node silent this long stops counting (REDIS_NODE_TTL_MS); the heartbeat runs every fifth of it. */
  ttlMs: number
  clock: Clock
  log: Logger
  metrics: Metrics
  /** Where the last known node list is kept, so a node that starts while Redis is down still takes only its share. */
  dataDir?: string
}

type Script = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>

/**
 * The node's shared state. Redis holds, per limit key, a hash of node -> amount; a total counts only nodes whose
 * heartbeat has not expired, so what a crashed node held is free within `ttlMs`. The node's own counts stay the truth
 * of its calls: after any doubt (Redis lost, a command failed, the node expired) it resyncs by writing them whole.
 * While Redis is down or unsure, every limit is counted here against this node's share (`lineShare`, `rateShare`).
 */
export class SharedState {
  readonly nodeId: string
  readonly ttlMs: number
  private readonly redis: Redis
  private readonly opts: SharedStateOptions
  private readonly sources: HoldSource[] = []
  private readonly script: Record<'take' | 'release' | 'amount' | 'reserve' | 'totals' | 'heartbeat' | 'sync' | 'put' | 'read', Script>
  private timer: TimerHandle | null = null
  private inFlight: Promise<void> | null = null
  private synced = false
  /** A resync went out on the current connection: later commands reach Redis after it, so gives-back may go too. */
  private linked = false
  private needsSync = true
  private stopped = false
  private nodes: readonly string[]
  private rank = 0
  private downSinceMs: number | null
  /** Bumped whenever a resync is sent: a hold taken under an older generation is in Redis whatever its take said. */
  gen = 0
  private readonly errors: CounterSeries[]
  private readonly fallbacks: CounterSeries
  private readonly syncs: CounterSeries
  private readonly latency: Histogram

  constructor(opts: SharedStateOptions) {
    this.opts = opts
    this.nodeId = opts.nodeId
    this.ttlMs = opts.ttlMs
    this.nodes = this.readNodes() ?? [opts.nodeId]
    this.rankOf()
    this.downSinceMs = opts.clock.now()
    this.redis = new Redis(opts.url, {
      lazyConnect: true,
      // Fail fast: a command while the link is down is a fallback decision now, never a queue replayed later.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 2_000,
      retryStrategy: (times) => Math.min(100 * times, 1_000),
      connectionName: `softswitch-core:${opts.nodeId}`,
    })
    const define = (name: string, lua: string): Script => {
      this.redis.defineCommand(name, { lua })
      return (this.redis as unknown as Record<string, Script>)[name]!.bind(this.redis)
    }
    this.script = {
      take: define('ssTake', TAKE_LUA), release: define('ssRelease', RELEASE_LUA), amount: define('ssAmount', AMOUNT_LUA), reserve: define('ssReserve', RESERVE_LUA),
      totals: define('ssTotals', TOTALS_LUA), heartbeat: define('ssHeartbeat', HEARTBEAT_LUA), sync: define('ssSync', SYNC_LUA),
      put: define('ssPut', ENTRY_PUT_LUA), read: define('ssRead', ENTRY_READ_LUA),
    }
    this.redis.on('error', () => this.lost())
    this.redis.on('close', () => this.lost())
    this.redis.on('ready', () => this.beat())
    const m = opts.metrics
    m.gauge('shared_state_up', 'Limits count across nodes in Redis (1) or on this node\'s share because Redis cannot be reached (0)', [], () => (this.up ? 1 : 0))
    m.gauge('shared_state_nodes', 'Core nodes alive in Redis as this node last saw them (its share of each limit while Redis is down is 1/this)', [], () => this.nodes.length)
    const errors = m.counter('shared_state_errors_total', 'Redis commands that failed or timed out (the call was decided on this node\'s share), by operation', ['op'])
    this.errors = ['take', 'release', 'amount', 'heartbeat', 'sync', 'entries'].map((op) => errors.labels(op))
    this.fallbacks = m.counter('shared_state_fallback_decisions_total', 'Limits checked on this node\'s share because Redis was down or unsure').labels()
    this.syncs = m.counter('shared_state_resyncs_total', 'Full rewrites of this node\'s holds into Redis (start, Redis back, a failed command)').labels()
    this.latency = m.histogram('shared_state_take_seconds', 'Round trip of a shared-limit take (admission or attempt) to Redis', [], [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.25])
  }

  /** True while limits count in Redis: connected, resynced and no command failed since. */
  get up(): boolean {
    return this.synced && this.redis.status === 'ready'
  }

  /** What /health says. */
  get mode(): SharedMode {
    return this.up ? 'redis' : 'fallback'
  }

  /** Live nodes (this one included) as last seen. */
  get liveNodes(): readonly string[] {
    return this.nodes
  }

  /** Epoch ms since Redis has been unreachable or unsure; null while it is up. */
  get downSince(): number | null {
    return this.up ? null : this.downSinceMs
  }

  /** This node's share of a line limit while Redis is down: the limit split over the live nodes, the remainder to the first ones by id. */
  lineShare(limit: number): number {
    const n = this.nodes.length
    return Math.floor(limit / n) + (this.rank < limit % n ? 1 : 0)
  }

  /** This node's fraction of a rate while Redis is down. */
  get rateShare(): number {
    return 1 / this.nodes.length
  }

  /** Adds what a full resync writes. */
  addSource(source: HoldSource): void {
    this.sources.push(source)
  }

  /** Connects (the node runs on its share until Redis answers) and starts the heartbeat. */
  start(): void {
    this.redis.connect().catch(() => this.lost())
    this.schedule()
  }

  /**
   * Stops the heartbeat, leaves the node list (its holds, normally none once its calls ended, stop counting at once)
   * and closes the connection; without Redis, what this node held lapses with its heartbeat.
   */
  async stop(): Promise<void> {
    this.stopped = true
    this.timer?.cancel()
    this.timer = null
    await this.inFlight
    if (this.linked && this.redis.status === 'ready') {
      await this.script.sync(2, KEY_PREFIX + 'nodes', KEY_PREFIX + 'n:' + this.nodeId, this.nodeId, 0).catch(() => undefined)
      await this.redis.quit().catch(() => undefined)
    }
    this.redis.disconnect()
  }

  /** A new hold, stamped with the current generation. */
  hold(): SharedHold {
    return { gen: this.gen, confirmed: false }
  }

  /** Counts a decision taken on this node's share. */
  fellBack(): void {
    this.fallbacks.inc()
  }

  /**
   * Takes shared limits (TAKE_LUA's program) unless Redis is down: undefined then (decide on the share). Resolves
   * [0] taken, [1, i] bucket i empty, [2, i] limit i full; null when the command failed (decide on the share).
   */
  take(keys: readonly string[], program: readonly (string | number)[]): Promise<readonly number[] | null> | undefined {
    if (!this.up) return undefined
    const t0 = performance.now()
    return this.script.take(keys.length + 2, KEY_PREFIX + 'nodes', KEY_PREFIX + 'n:' + this.nodeId, ...keys, this.nodeId, ...program).then(
      (r) => {
        this.latency.labels().observe((performance.now() - t0) / 1000)
        return r as number[]
      },
      (err: unknown) => this.failed(0, err),
    )
  }

  /** Gives back a hold on `keys` in Redis when Redis has it; a hold Redis never had is only forgotten. */
  release(hold: SharedHold, keys: readonly string[]): void {
    if (!hold.confirmed && hold.gen === this.gen) return
    if (!this.linked || this.redis.status !== 'ready') return this.unsure()
    this.script.release(keys.length, ...keys, this.nodeId).catch((err: unknown) => this.failed(1, err))
  }

  /** Adds `delta` to this node's amount under `key` (money); resolves the live total, or null when Redis is down or failed. */
  amount(key: string, delta: number): Promise<number | null> {
    if (!this.linked || this.redis.status !== 'ready') {
      this.unsure()
      return Promise.resolve(null)
    }
    return this.script.amount(3, KEY_PREFIX + 'nodes', KEY_PREFIX + 'n:' + this.nodeId, key, this.nodeId, String(delta)).then(
      (r) => Number(r),
      (err: unknown) => this.failed(2, err),
    )
  }

  /**
   * Reserves money under `key` (RESERVE_LUA): min(want, base - what live nodes reserved), when at least `least`
   * (want -1 = all that is free). Resolves the grant (0 = refused), or null when the command failed; undefined while
   * Redis is down (decide on the share).
   */
  reserve(key: string, base: number, want: number, least: number): Promise<number | null> | undefined {
    if (!this.up) return undefined
    return this.script.reserve(3, KEY_PREFIX + 'nodes', KEY_PREFIX + 'n:' + this.nodeId, key, this.nodeId, String(base), String(want), String(least)).then(
      (r) => Number(r),
      (err: unknown) => this.failed(2, err),
    )
  }

  /** Live totals of per-node hashes; null when Redis is down or failed. */
  totals(keys: readonly string[]): Promise<number[] | null> {
    if (!this.up || keys.length === 0) return Promise.resolve(this.up ? [] : null)
    return this.script.totals(keys.length + 2, KEY_PREFIX + 'nodes', KEY_PREFIX + 'n:' + this.nodeId, ...keys, this.nodeId).then(
      (r) => (r as string[]).map(Number),
      (err: unknown) => this.failed(2, err),
    )
  }

  /**
   * Writes a shared entry `name` (a ban, a username lock) that every node reads, expiring after `ttlMs`; resolves
   * false when Redis is down or the command failed (the caller keeps it and writes it again later).
   */
  putEntry(name: string, value: string, ttlMs: number): Promise<boolean> {
    if (!this.linked || this.redis.status !== 'ready') return Promise.resolve(false)
    return this.script.put(3, ENTRIES.index, ENTRIES.seq, ENTRIES.prefix + name, name, value, Math.max(1, Math.ceil(ttlMs))).then(
      () => true,
      (err: unknown) => this.entryFailed(err) ?? false,
    )
  }

  /** Live entries written after sequence `after` (0: all), with the sequence to go on from; null when Redis is down or failed. */
  readEntries(after: number): Promise<{ seq: number; entries: [string, string][] } | null> {
    if (!this.linked || this.redis.status !== 'ready') return Promise.resolve(null)
    return this.script.read(1, ENTRIES.index, after, ENTRIES_PER_READ, ENTRIES.prefix).then(
      (r) => {
        const row = r as string[]
        const entries: [string, string][] = []
        for (let i = 1; i + 1 < row.length; i += 2) entries.push([row[i]!, row[i + 1]!])
        return { seq: Number(row[0]), entries }
      },
      (err: unknown) => this.entryFailed(err),
    )
  }

  private entryFailed(err: unknown): null {
    this.errors[5]!.inc()
    this.opts.log.warn('shared entry command failed; bans and locks stay on this node until Redis answers', { err })
    return null
  }

  /** Anything that leaves Redis unsure of this node's holds: the next heartbeat resyncs. */
  unsure(): void {
    this.needsSync = true
  }

  private failed(op: number, err: unknown): null {
    this.errors[op]!.inc()
    if (this.synced) this.opts.log.warn('shared state command failed; counting on this node\'s share until Redis answers again', { err })
    this.markDown()
    return null
  }

  private lost(): void {
    if (this.synced) this.opts.log.warn('shared state lost; counting on this node\'s share of each limit', { nodes: this.nodes.length })
    this.markDown()
  }

  private markDown(): void {
    if (this.synced || this.downSinceMs === null) this.downSinceMs = this.opts.clock.now()
    this.synced = false
    this.linked = false
    this.needsSync = true
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = this.opts.clock.after(Math.max(50, Math.floor(this.ttlMs / 5)), () => {
      this.timer = null
      this.beat()
      this.schedule()
    })
  }

  /** One heartbeat, or a full resync when one is due; never two at once. */
  private beat(): void {
    if (this.inFlight !== null || this.stopped || this.redis.status !== 'ready') return
    this.inFlight = (this.needsSync ? this.sync() : this.heartbeat()).finally(() => (this.inFlight = null))
  }

  private async heartbeat(): Promise<void> {
    try {
      const r = (await this.script.heartbeat(1, KEY_PREFIX + 'nodes', this.nodeId, this.ttlMs, REAP_AFTER_MS, KEY_PREFIX + 'n:')) as (number | string)[]
      this.setNodes(r.slice(1).map(String))
      if (Number(r[0]) === 0) {
        // Other nodes stopped counting this one (it was silent past its expiry): write its holds again.
        this.opts.log.warn('this node had expired in Redis; resyncing its holds')
        this.markDown()
        this.beat()
      }
    } catch (err) {
      this.failed(3, err)
    }
  }

  private async sync(): Promise<void> {
    const keys: string[] = []
    const values: string[] = []
    for (const s of this.sources) {
      for (const [key, amount] of s.holds()) {
        if (amount <= 0) continue
        keys.push(key)
        values.push(String(amount))
      }
    }
    this.gen++
    this.needsSync = false
    this.linked = true
    try {
      const r = (await this.script.sync(keys.length + 2, KEY_PREFIX + 'nodes', KEY_PREFIX + 'n:' + this.nodeId, ...keys, this.nodeId, this.ttlMs, ...values)) as string[]
      this.setNodes(r.map(String))
      this.syncs.inc()
      if (this.needsSync) return
      const was = this.downSinceMs
      this.synced = true
      this.downSinceMs = null
      this.opts.log.info('shared state in Redis; limits count across nodes', { nodes: this.nodes.length, holds: keys.length, afterMs: was === null ? 0 : Math.round(this.opts.clock.now() - was) })
    } catch (err) {
      this.failed(4, err)
    }
  }

  private setNodes(nodes: string[]): void {
    nodes.sort()
    if (!nodes.includes(this.nodeId)) nodes.push(this.nodeId)
    if (nodes.length === this.nodes.length && nodes.every((n, i) => n === this.nodes[i])) return
    this.nodes = nodes
    this.rankOf()
    this.writeNodes()
  }

  private rankOf(): void {
    this.rank = Math.max(0, this.nodes.indexOf(this.nodeId))
  }

  private readNodes(): string[] | null {
    if (this.opts.dataDir === undefined) return null
    try {
      const v = JSON.parse(readFileSync(join(this.opts.dataDir, 'shared-nodes.json'), 'utf8')) as unknown
      return Array.isArray(v) && v.every((n) => typeof n === 'string') && v.includes(this.nodeId) ? (v as string[]).sort() : null
    } catch {
      return null
    }
  }

  private writeNodes(): void {
    if (this.opts.dataDir === undefined) return
    try {
      writeFileSync(join(this.opts.dataDir, 'shared-nodes.json'), JSON.stringify(this.nodes))
    } catch (err) {
      this.opts.log.warn('could not keep the node list for a start without Redis', { err })
    }
  }
}
