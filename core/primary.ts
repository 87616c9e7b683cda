// The primary of a core with several SIP workers, its composition root: validated env -> database (+ migrations) -> config snapshot -> CDR collector -> CORE_WORKERS SIP workers (core/worker.ts) -> gateway status, calls in progress, hang-ups, network tests, bans, the status port, SIGHUP (TLS reload) and the SIGTERM/SIGINT drain of every worker.
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AggregatorRegistry } from 'prom-client'
import { BanWriter } from './access-list/ban-writer.js'
import { RefusalWriter } from './access-list/refusal-writer.js'
import type { RefusalRow } from './policy/guard/refusal-tally.js'
import { SharedBans } from './policy/guard/shared-bans.js'
import { SourceGuard } from './policy/guard/source-guard.js'
import type { CallSummary } from './call/call.js'
import { openCdrInsert } from './cdr/cdr-insert.js'
import { CdrCollector } from './cdr/collector.js'
import { registerCdrMetrics } from './cdr/metrics.js'
import { coreWorkers, onStopSignals, processBasics, readEnv, sharedStateHealth, timerParams } from './cluster/common.js'
import type { LineReport, SpendSeed, ToWorker } from './cluster/ipc.js'
import { seedSpendToday } from './cdr/spend-today.js'
import { BindingTable } from './registrar/bindings.js'
import { SharedBindings } from './registrar/shared-bindings.js'
import { BindingStore } from './registrar/store.js'
import { NodeLimits } from './cluster/node-limits.js'
import { NodeMoney } from './cluster/node-money.js'
import { ClusterMoney } from './policy/cluster-money.js'
import { Supervisor } from './cluster/supervisor.js'
import { NodeHolds } from './shared-state/node-holds.js'
import { SharedState } from './shared-state/shared-state.js'
import { ConfigLoader } from './config/loader.js'
import { applyMigrations, openDatabase, type Database } from '../shared/db/node/database.js'
import type { ProbeView } from './gateway-probes/probe-state.js'
import { NetworkTestRunner } from './gateway-reports/network-test-runner.js'
import { StatusPublisher } from './gateway-reports/status-publisher.js'
import type { PromFamily } from './lib/metrics.js'
import { HangupRunner } from './live-calls/hangup-runner.js'
import { LiveCallsPublisher } from './live-calls/publisher.js'
import { startStatusServer, statusNeedsKey, type StatusServer } from './status-port/server.js'

/** Current and taken lines of the whole node: every worker's last report added up (a worker that died keeps what it took). */
class NodeLines {
  private readonly reports = new Map<number, LineReport>()
  private readonly retired = { mapping: new Map<string, number>(), routing: new Map<string, number>() }
  readonly taken = { mapping: new Map<string, number>(), routing: new Map<string, number>() }
  private readonly mapping = new Map<string, number>()
  private readonly routing = new Map<string, number>()

  /** Worker `index` reported. */
  update(index: number, r: LineReport): void {
    this.reports.set(index, r)
    this.rebuild()
  }

  /** Worker `index` is gone: its calls ended with it, what it took stays counted. */
  retire(index: number): void {
    const r = this.reports.get(index)
    if (r === undefined) return
    for (const [id, n] of r.takenMapping) this.retired.mapping.set(id, (this.retired.mapping.get(id) ?? 0) + n)
    for (const [id, n] of r.takenRouting) this.retired.routing.set(id, (this.retired.routing.get(id) ?? 0) + n)
    this.reports.delete(index)
    this.rebuild()
  }

  ingressCalls(id: string): number {
    return this.mapping.get(id) ?? 0
  }

  gatewayCallsOf(id: string): number {
    return this.routing.get(id) ?? 0
  }

  private rebuild(): void {
    const add = (m: Map<string, number>, entries: Iterable<[string, number]>): void => {
      for (const [id, n] of entries) m.set(id, (m.get(id) ?? 0) + n)
    }
    for (const m of [this.mapping, this.routing, this.taken.mapping, this.taken.routing]) m.clear()
    add(this.taken.mapping, this.retired.mapping)
    add(this.taken.routing, this.retired.routing)
    for (const r of this.reports.values()) {
      add(this.mapping, r.mapping)
      add(this.routing, r.routing)
      add(this.taken.mapping, r.takenMapping)
      add(this.taken.routing, r.takenRouting)
    }
  }
}

/** Starts the node: the primary's parts, then every worker; resolves once SIP and the status port listen. */
async function main(): Promise<void> {
  const env = readEnv()
  const workers = coreWorkers(env)
  const { log, metrics, clock } = processBasics(env)
  const startedAtMs = clock.now()

  await mkdir(env.DATA_DIR, { recursive: true })
  const database: Database = openDatabase({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN, syncUrl: env.DATABASE_SYNC_URL })
  // The local default migrates itself; replicas and remote servers are migrated with `npm run db:migrate`.
  if (database.mode === 'file') await applyMigrations(database.db)
  // The primary is the node's only database client: the workers get the configuration rows from it.
  const config = new ConfigLoader({ source: database, clock, log: log.child({ module: 'config' }), reloadMs: env.CONFIG_RELOAD_MS })
  const first = await config.start()
  let supervisor: Supervisor | null = null
  const broadcast = (m: ToWorker): void => supervisor?.broadcast(m)
  config.observe({ onConfigSwap: () => broadcast({ t: 'config', input: config.input }) })
  // Prepaid reservations of every worker (set up with the link to Redis below); written charges leave its ledger.
  let nodeMoney: NodeMoney | null = null
  // One connection for every folder's writer: each batch is one synchronous transaction on it.
  const cdrInsert = openCdrInsert(database)
  const collector = await CdrCollector.open({
    dataDir: env.DATA_DIR, db: database.db, clock, log: log.child({ module: 'cdr' }),
    writer: {
      insert: cdrInsert,
      onBilled: (batch) => {
        nodeMoney?.onBilled(batch)
        broadcast({ t: 'billed', batch })
      },
    },
  })
  registerCdrMetrics(metrics, collector, () => Date.now())

  const nodeId = env.NODE_ID ?? hostname()
  const securityLog = log.child({ module: 'security' })
  let sharedBans: SharedBans | null = null
  const banWriter = new BanWriter({
    db: database.db, clock, log: securityLog, nodeId, forgetAfterMs: () => config.current.params.SS_AUTH_BAN_TIME_MAX * 1000,
    onPersisted: (ban) => {
      broadcast({ t: 'ban', ban })
      sharedBans?.publishBan(ban)
    },
  })
  // The node's judge of the screen: it counts failed authentications every worker reports, and decides every ban
  // and username lock, which every worker then keeps (docs/capacity.md "The screen across workers").
  // With REDIS_URL it shares them with the other nodes too (SharedBans, set up with the link below).
  const judge = new SourceGuard({
    config, metrics, log: securityLog,
    observer: {
      onBan: (ban) => {
        broadcast({ t: 'ban', ban })
        banWriter.onBan(ban)
        sharedBans?.publishBan(ban)
      },
      onUserLock: (gatewayId, untilMs) => {
        broadcast({ t: 'user-lock', gatewayId, untilMs })
        sharedBans?.publishLock(gatewayId, untilMs)
      },
    },
  })
  config.observe({ onConfigSwap: (next) => judge.onConfigSwap(next) })
  // Registrations: worker 0 runs the registrar; the primary stores its bindings and passes them to the other workers.
  const bindingStore = new BindingStore(database.db, nodeId)
  const bindings = new BindingTable(clock)
  bindings.setAll(await bindingStore.load(clock.now()))
  // With REDIS_URL (set up with the link below) it publishes the node's customer gateways' bindings and passes the
  // other nodes' to every worker, so a gateway registered at any node is admitted by any worker here.
  let sharedBindings: SharedBindings | null = null
  /** What a starting worker needs beyond the configuration: live bindings and the day's spend of limited accounts so far. */
  const greeting = async (): Promise<ToWorker> => {
    const now = clock.now()
    const spend: SpendSeed[] = []
    const limited = [...config.current.accounts.values()].filter((a) => a.dailySpendLimit > 0).map((a) => a.id)
    await seedSpendToday(database.db, { add: (id, amount, atMs) => spend.push([id, amount, atMs]), spent: () => 0 }, limited, config.current.params.SS_TIMEZONE, now)
    const bans = [...judge.bans.values()].filter((b) => b.forgetAtMs > now)
    return { t: 'greeting', bindings: bindings.all(), remoteBindings: sharedBindings?.remoteBindings() ?? [], spend, bans, locks: judge.activeLocks(now) }
  }
  // Refused attempts the workers counted, added to auth_refusals every STATUS_PUBLISH_MS (docs/diagnosis.md).
  const refusalRows: RefusalRow[] = []
  const refusalWriter = new RefusalWriter({
    db: database.db, clock, log: securityLog, metrics, periodMs: env.STATUS_PUBLISH_MS,
    tally: { take: () => refusalRows.splice(0), dropped: 0, keys: 0, folded: 0 },
  })
  refusalWriter.start()
  const lines = new NodeLines()
  // Limits that span calls, counted here for every worker; with REDIS_URL this node is one node of several in Redis
  // (one identity, one heartbeat) and counts on its share while Redis is away (docs/capacity.md).
  const shared = env.REDIS_URL === undefined
    ? null
    : new SharedState({ url: env.REDIS_URL, nodeId, ttlMs: env.REDIS_NODE_TTL_MS, clock, log: log.child({ module: 'shared-state' }), metrics, dataDir: env.DATA_DIR })
  const nodeLimits = new NodeLimits(new NodeHolds(() => Date.now(), shared), (i, m) => supervisor?.tell(i, m), (i) => supervisor?.pidOf(i))
  nodeMoney = new NodeMoney(config, (i, m) => supervisor?.tell(i, m), (i) => supervisor?.pidOf(i), shared === null ? null : new ClusterMoney(shared))
  const money = nodeMoney
  shared?.start()
  if (shared !== null) {
    sharedBans = new SharedBans({
      link: shared, clock, log: securityLog,
      apply: {
        ban: (ban) => {
          if (judge.adopt(ban, clock.now())) broadcast({ t: 'ban', ban })
        },
        lock: (gatewayId, untilMs) => {
          judge.lockUser(gatewayId, untilMs)
          broadcast({ t: 'user-lock', gatewayId, untilMs })
        },
      },
      held: () => ({ bans: judge.bans.values(), locks: judge.activeLocks(clock.now()) }),
    })
    sharedBans.start()
    sharedBindings = new SharedBindings(bindings, bindingStore, shared, clock, log.child({ module: 'registrar' }), {
      onRemote: (gatewayId, list) => broadcast({ t: 'remote-bindings', gatewayId, bindings: [...list] }),
    })
    sharedBindings.start()
  }
  const probes = new Map<string, ProbeView>()
  let online: [string, boolean][] = []
  // The workers' Unix sockets: a folder only this user can enter, removed at exit.
  const meshDir = mkdtempSync(join(tmpdir(), 'softswitch-mesh-'))
  process.on('exit', () => rmSync(meshDir, { recursive: true, force: true }))
  supervisor = new Supervisor({
    // The worker module beside this one in the same form: TypeScript under tsx, JavaScript once built (core/build.ts).
    entry: fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url)),
    workers,
    // The digest nonce secret of the node, the same in every worker.
    env: { ...process.env, CORE_NODE_SECRET: randomBytes(32).toString('hex') },
    meshDir,
    hangMs: env.CORE_WORKER_HANG_MS,
    config: () => config.input,
    greeting,
    prepare: (index) => {
      mkdirSync(meshDir, { recursive: true, mode: 0o700 })
      return collector.prepare(index)
    },
    onNotice(index, m) {
      switch (m.t) {
        case 'cdr':
          return collector.noteAppended(index, m.count, m.bytes, m.firstAtMs)
        case 'refused':
          return judge.count(m.r)
        case 'offence':
          // Several workers may report one flood: the first makes the ban, the others find it.
          return void judge.judgeOffence(m.o)
        case 'cleared':
          return judge.clearFailures(m.ip)
        case 'probes':
          probes.clear()
          for (const [id, v] of m.views) probes.set(id, v)
          if (JSON.stringify(m.online) !== JSON.stringify(online)) {
            online = m.online
            supervisor?.broadcast({ t: 'online', online }, index)
          }
          return
        case 'lines':
          return lines.update(index, m.report)
        case 'bindings': {
          bindings.set(m.kind, m.gatewayId, m.bindings)
          supervisor?.broadcast({ t: 'bindings', kind: m.kind, gatewayId: m.gatewayId, bindings: m.bindings }, index)
          const store = sharedBindings ?? bindingStore
          store.replace(m.kind, m.gatewayId, m.bindings).then(
            () => supervisor?.tell(index, { t: 'bindings-stored', n: m.n, ok: true }),
            (err: unknown) => {
              log.error('bindings not stored', { err, kind: m.kind, gatewayId: m.gatewayId })
              supervisor?.tell(index, { t: 'bindings-stored', n: m.n, ok: false })
            },
          )
          return
        }
        case 'refusals':
          refusalRows.push(...m.rows)
          return
        case 'limits':
          return nodeLimits.onBatch(index, m)
        case 'money':
          return money.onBatch(index, m)
        case 'spend':
        case 'quality':
          return supervisor?.broadcast(m, index)
        case 'bindings-expired':
          bindingStore.delete(m.ids).catch((err: unknown) => log.warn('expired bindings not deleted (they are ignored on load)', { err }))
          return
        case 'ready':
          if (online.length > 0) supervisor?.broadcast({ t: 'online', online }, 0)
          return
      }
    },
    onExit: (index, pid) => {
      lines.retire(index)
      nodeLimits.onExit(pid)
      money.onExit(pid)
    },
    log: log.child({ module: 'workers' }),
    metrics,
  })
  await supervisor.start()
  const sup = supervisor

  const liveLog = log.child({ module: 'live' })
  const publisher = new StatusPublisher({
    db: database.db, clock, log: liveLog, metrics, nodeId, periodMs: env.STATUS_PUBLISH_MS,
    sources: { snapshot: () => config.current, lines, probe: (id) => probes.get(id) },
  })
  publisher.start()
  const networkTests = new NetworkTestRunner({
    db: database.db, sync: () => database.sync(), clock, log: liveLog, nodeId, pollMs: env.NETWORK_TEST_POLL_MS,
    prober: { networkTest: (gw, count, intervalMs) => sup.ask<'networkTest'>(0, { k: 'networkTest', host: gw.host, port: gw.port, count, intervalMs }, count * intervalMs + 60_000) },
  })
  networkTests.start()
  let draining = false
  const allCalls = async (): Promise<CallSummary[]> => (await sup.askAll<'calls'>({ k: 'calls' }, 5_000)).flat()
  const liveCalls = new LiveCallsPublisher({ db: database.db, clock, log: liveLog, metrics, nodeId, periodMs: env.STATUS_PUBLISH_MS, calls: allCalls, draining: () => draining })
  liveCalls.start()
  const hangups = new HangupRunner({
    db: database.db, sync: () => database.sync(), clock, log: liveLog, nodeId, pollMs: env.HANGUP_POLL_MS,
    calls: {
      has: async (id) => (await sup.askAll<'hasCall'>({ k: 'hasCall', id })).some(Boolean),
      hangup: async (id) => (await sup.askAll<'hangup'>({ k: 'hangup', id })).some(Boolean),
    },
  })
  hangups.start()
  // One /metrics for the node: the primary's families and every worker's, summed (or the maximum where a sum means nothing).
  const nodeMetrics = {
    contentType: metrics.contentType,
    async render(): Promise<string> {
      const parts: PromFamily[][] = [await metrics.families(), ...(await sup.askAll<'metrics'>({ k: 'metrics' }))]
      return AggregatorRegistry.aggregate(parts as Parameters<typeof AggregatorRegistry.aggregate>[0]).metrics()
    },
  }
  /** The config version each worker last reported, by index. */
  const reportedConfig = new Map<number, number>()
  const status: StatusServer = await startStatusServer({
    host: env.STATUS_HOST,
    port: env.STATUS_PORT,
    metrics: nodeMetrics,
    log,
    calls: allCalls,
    // Calls carry customers' numbers: beyond loopback /v1/calls needs STATUS_API_KEY.
    callsKey: { required: statusNeedsKey(env.STATUS_HOST), secret: env.STATUS_API_KEY },
    now: () => clock.now(),
    health: async () => {
      const ws = await sup.askAll<'health'>({ k: 'health' })
      for (const w of ws) reportedConfig.set(w.index, w.configVersion)
      const sum = (f: (w: (typeof ws)[number]) => number): number => ws.reduce((n, w) => n + f(w), 0)
      return {
        ok: !draining && ws.length === workers,
        draining,
        // What every worker runs on: a change is in force once the slowest worker has it.
        // A worker that did not answer in time counts with the version it last reported, not as if it had the newest.
        configVersion: reportedConfig.size === 0 ? config.current.version : Math.min(...reportedConfig.values()),
        configReloadFailures: config.consecutiveFailures,
        transactions: sum((w) => w.transactions),
        connections: { tcp: sum((w) => w.connections.tcp), tls: sum((w) => w.connections.tls) },
        calls: sum((w) => w.calls),
        gateways: { checked: probes.size, offline: online.filter(([, up]) => !up).map(([id]) => id) },
        statusPublishFailures: publisher.consecutiveFailures,
        workers: { configured: workers, running: ws.length, pids: ws.map((w) => w.pid) },
        ...(shared === null ? {} : { sharedState: sharedStateHealth(shared) }),
        uptimeSec: Math.floor((clock.now() - startedAtMs) / 1000),
      }
    },
  })
  log.info('core listening', {
    sip: `udp+tcp:${env.SIP_HOST}:${sup.ports.udp}${sup.ports.tls === null ? '' : ` tls:${sup.ports.tls}`}`,
    advertised: env.SIP_ADVERTISED_HOST ?? env.SIP_HOST,
    workers,
    status: `http://${env.STATUS_HOST}:${status.port}`,
    database: database.mode,
    configVersion: first.version,
    timers: timerParams(first),
    startupMs: Math.round(clock.now() - startedAtMs),
  })

  /** SIGTERM/SIGINT: every worker refuses new INVITEs and lets its calls end (up to DRAIN_TIMEOUT_MS; a second signal cuts it short), then the CDRs are flushed and the node exits 0. */
  let stopAskedAtMs = 0
  const stop = async (signal: string): Promise<void> => {
    if (draining) {
      // One Ctrl-C can arrive twice (from the terminal and forwarded by npm): only a signal a second later hurries.
      if (clock.now() - stopAskedAtMs < 1_000) return
      log.warn('second signal: ending calls now', { signal })
      return sup.hurry()
    }
    stopAskedAtMs = clock.now()
    draining = true
    log.info('stopping: draining', { signal, workers, drainTimeoutMs: env.DRAIN_TIMEOUT_MS })
    await sup.drain(env.DRAIN_TIMEOUT_MS)
    // A network test in flight may wait for its worker; the shutdown gives it two seconds.
    await Promise.race([networkTests.stop(), new Promise((ok) => setTimeout(ok, 2_000))])
    await publisher.stop()
    await hangups.stop()
    await banWriter.stop()
    await refusalWriter.stop()
    await liveCalls.stop()
    sharedBans?.stop()
    sharedBindings?.stop()
    await shared?.stop()
    config.stop()
    const drained = await collector.close(clock.now() + 5_000)
    cdrInsert.close()
    await status.close()
    database.close()
    clock.stop()
    log.info('stopped', { signal, cdrDrained: drained })
    process.exit(0)
  }
  onStopSignals(stop, log)
  // SIGHUP: a renewed certificate (certbot, ACME) is read again by every worker; new TLS connections use it.
  process.on('SIGHUP', () => broadcast({ t: 'tls-reload' }))
}

main().catch((err: unknown) => {
  process.stderr.write(JSON.stringify({ level: 'error', time: new Date().toISOString(), service: 'core', msg: 'core failed to start', err: err instanceof Error ? { name: err.name, message: err.message, cause: String(err.cause ?? '') } : String(err) }) + '\n')
  process.exit(1)
})
