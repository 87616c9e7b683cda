// Loads the ConfigSnapshot from libSQL and swaps it atomically whenever `config_version` changes (polled on the injected Clock).
import type { InStatement, ResultSet, Row } from '@libsql/client'
import { getTableColumns, getTableName, type Table } from 'drizzle-orm'
import {
  accounts, configVersion, CONFIG_VERSION_ROW_ID, gatewayGroups, ipAccessList, mappingGateways, rates, routingGateways, systemParameters,
} from '../../shared/db/schema.js'
import type { Database } from '../../shared/db/node/database.js'
import type { Clock, TimerHandle } from '../lib/clock.js'
import type { Logger } from '../lib/log.js'
import { buildSnapshot, type ConfigSnapshot, type SnapshotInput, type SnapshotIssue } from './snapshot.js'

/** Told about every swap, after readers already see the new snapshot. */
export interface ConfigObserver {
  onConfigSwap(next: ConfigSnapshot, previous: ConfigSnapshot): void
}

/** What the loader needs from the database: raw reads, and a sync for replicas. */
export type ConfigSource = Pick<Database, 'client' | 'sync'>

/** Loader options; `reloadMs` is CONFIG_RELOAD_MS. */
export interface ConfigLoaderOptions {
  source: ConfigSource
  clock: Clock
  log: Logger
  reloadMs: number
  /** Epoch ms for `loadedAtMs` (default Date.now). */
  now?: () => number
}

/** Outcome of one poll. */
export type ConfigCheck = 'unchanged' | 'swapped' | 'failed'

/** Thrown by `start()` when not even a first snapshot could be loaded (the node cannot serve without one). */
export class ConfigLoadError extends Error {
  override name = 'ConfigLoadError'
}

/** Thrown when our own code reads `current` before `start()` resolved. */
export class ConfigLoaderStateError extends Error {
  override name = 'ConfigLoaderStateError'
}

const VERSION_SQL = `select version from ${getTableName(configVersion)} where id = ${CONFIG_VERSION_ROW_ID}`

function versionOf(rs: ResultSet | undefined): number {
  const v = rs?.rows[0]?.['version']
  return v === undefined || v === null ? 0 : Number(v)
}

/** Decodes raw rows with the table's own drizzle column mappers, one row at a time, so one malformed row excludes only itself. */
function decodeRows<T extends Table>(table: T, rs: ResultSet | undefined, issues: SnapshotIssue[]): T['$inferSelect'][] {
  const name = getTableName(table)
  const columns = Object.entries(getTableColumns(table))
  const out: T['$inferSelect'][] = []
  for (const raw of rs?.rows ?? []) {
    try {
      out.push(decodeRow(columns, raw) as T['$inferSelect'])
    } catch (err) {
      const id = String(raw['id'] ?? raw['name'] ?? '?')
      issues.push({ table: name, id, effect: 'excluded', message: `undecodable row: ${err instanceof Error ? err.message : String(err)}` })
    }
  }
  return out
}

function decodeRow(columns: [string, { name: string; mapFromDriverValue(v: unknown): unknown }][], raw: Row): Record<string, unknown> {
  const row: Record<string, unknown> = {}
  for (const [key, col] of columns) {
    const v = raw[col.name]
    row[key] = v === null || v === undefined ? null : col.mapFromDriverValue(typeof v === 'bigint' ? Number(v) : v)
  }
  return row
}

/** Reads every configuration table in one read transaction, so the snapshot matches the version it carries. */
export async function readSnapshotInput(source: ConfigSource, loadedAtMs: number): Promise<SnapshotInput> {
  const tables = [systemParameters, accounts, mappingGateways, routingGateways, gatewayGroups, rates, ipAccessList] as const
  const stmts: InStatement[] = [VERSION_SQL, ...tables.map((t) => `select * from ${getTableName(t)}`)]
  const [version, params, accountRows, mgRows, rgRows, groupRows, rateRows, accessRows] = await source.client.batch(stmts, 'read')
  const issues: SnapshotIssue[] = []
  return {
    version: versionOf(version),
    loadedAtMs,
    parameters: decodeRows(systemParameters, params, issues).map(({ name, value }) => ({ name, value })),
    accounts: decodeRows(accounts, accountRows, issues),
    mappingGateways: decodeRows(mappingGateways, mgRows, issues),
    routingGateways: decodeRows(routingGateways, rgRows, issues),
    gatewayGroups: decodeRows(gatewayGroups, groupRows, issues),
    rates: decodeRows(rates, rateRows, issues),
    accessList: decodeRows(ipAccessList, accessRows, issues),
    issues,
  }
}

/** Polls the config version and keeps the newest valid snapshot; a failed load keeps the old one and is retried next poll. */
export class ConfigLoader {
  private snapshot: ConfigSnapshot | null = null
  private lastInput: SnapshotInput | null = null
  private readonly observers = new Set<ConfigObserver>()
  private timer: TimerHandle | null = null
  private inFlight: Promise<ConfigCheck> | null = null
  private stopped = false
  private failures = 0
  private readonly now: () => number

  constructor(private readonly opts: ConfigLoaderOptions) {
    this.now = opts.now ?? Date.now
  }

  /** The snapshot to use for a new call; hold on to it for the call's lifetime. */
  get current(): ConfigSnapshot {
    if (this.snapshot === null) throw new ConfigLoaderStateError('ConfigLoader.current read before start() resolved')
    return this.snapshot
  }

  /** The rows `current` was built from (a node's workers build their own snapshot from them: config/feed.ts). */
  get input(): SnapshotInput {
    if (this.lastInput === null) throw new ConfigLoaderStateError('ConfigLoader.input read before start() resolved')
    return this.lastInput
  }

  /** Consecutive failed polls since the last success (for /health and metrics). */
  get consecutiveFailures(): number {
    return this.failures
  }

  /** Loads the first snapshot and starts polling; rejects with ConfigLoadError when the first load fails. */
  async start(): Promise<ConfigSnapshot> {
    try {
      this.install(await this.load())
    } catch (err) {
      throw new ConfigLoadError('could not load the first configuration snapshot', { cause: err })
    }
    this.stopped = false
    this.schedule()
    return this.current
  }

  /** Registers an observer; returns the function that removes it. */
  observe(observer: ConfigObserver): () => void {
    this.observers.add(observer)
    return () => this.observers.delete(observer)
  }

  /** Checks the version now (sharing a poll already running) and swaps when it changed. */
  check(): Promise<ConfigCheck> {
    this.inFlight ??= this.poll().finally(() => {
      this.inFlight = null
    })
    return this.inFlight
  }

  /** Resolves when no poll is running (tests await this after advancing the clock). */
  async settled(): Promise<void> {
    while (this.inFlight !== null) await this.inFlight
  }

  /** Stops polling; the current snapshot stays readable. */
  stop(): void {
    this.stopped = true
    this.timer?.cancel()
    this.timer = null
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = this.opts.clock.after(this.opts.reloadMs, () => {
      this.timer = null
      void this.check().finally(() => this.schedule())
    })
  }

  private async poll(): Promise<ConfigCheck> {
    const log = this.opts.log
    try {
      await this.opts.source.sync()
      const rs = await this.opts.source.client.execute(VERSION_SQL)
      if (this.snapshot !== null && versionOf(rs) === this.snapshot.version) {
        this.failures = 0
        return 'unchanged'
      }
      const next = await this.load()
      const previous = this.install(next)
      this.failures = 0
      if (previous !== null) this.notify(next, previous)
      return 'swapped'
    } catch (err) {
      this.failures++
      log.warn('config reload failed; keeping the current snapshot', {
        version: this.snapshot?.version ?? null, failures: this.failures, error: err,
      })
      return 'failed'
    }
  }

  private async load(): Promise<ConfigSnapshot> {
    await this.opts.source.sync()
    const input = await readSnapshotInput(this.opts.source, this.now())
    const snapshot = buildSnapshot(input)
    this.lastInput = input
    return snapshot
  }

  /** Swaps in `next` (one reference assignment: readers see old or new, never a mix) and logs its issues. */
  private install(next: ConfigSnapshot): ConfigSnapshot | null {
    const previous = this.snapshot
    this.snapshot = next
    const log = this.opts.log
    for (const i of next.issues) log.warn('config row ignored or defaulted', { version: next.version, ...i })
    log.info('config snapshot loaded', {
      version: next.version, accounts: next.accounts.size, mappingGateways: next.mappingGateways.size,
      routingGateways: next.routingGateways.size, gatewayGroups: next.gatewayGroups.size, issues: next.issues.length,
    })
    return previous
  }

  private notify(next: ConfigSnapshot, previous: ConfigSnapshot): void {
    for (const o of this.observers) {
      try {
        o.onConfigSwap(next, previous)
      } catch (err) {
        this.opts.log.error('config observer threw', { error: err })
      }
    }
  }
}
