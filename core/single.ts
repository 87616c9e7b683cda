// The composition root of a core that runs in one process (CORE_WORKERS 1): validated env -> database (+ migrations) -> config snapshot -> CDR sink -> UDP, TCP and TLS transports -> transaction layer -> B2BUA, OPTIONS checks, live status publisher, network tests, the status port, SIGHUP (TLS reload) and the SIGTERM/SIGINT drain.
import { mkdir } from 'node:fs/promises'
import { hostname } from 'node:os'
import { openCdrInsert } from './cdr/cdr-insert.js'
import { CdrCollector, workerFolders } from './cdr/collector.js'
import { registerCdrMetrics, sinkStats } from './cdr/metrics.js'
import { callB2bua, mediaEnvironment, onStopSignals, processBasics, readEnv, readTlsMaterial, sharedStateHealth, sipStack, timerParams } from './cluster/common.js'
import { CdrSink } from './cdr/sink.js'
import { ConfigLoader } from './config/loader.js'
import { applyMigrations, openDatabase, type Database } from '../shared/db/node/database.js'
import { OptionsChecker } from './gateway-probes/options-checker.js'
import { NetworkTestRunner } from './gateway-reports/network-test-runner.js'
import { HangupRunner } from './live-calls/hangup-runner.js'
import { LiveCallsPublisher } from './live-calls/publisher.js'
import { StatusPublisher } from './gateway-reports/status-publisher.js'
import { BanWriter } from './access-list/ban-writer.js'
import { RefusalWriter } from './access-list/refusal-writer.js'
import { BalanceLedger } from './policy/balance-ledger.js'
import { CallGuards, MemorySpendCounter } from './policy/call-guards.js'
import { seedSpendToday } from './cdr/spend-today.js'
import { AuthRefusalFanout } from './policy/guard/auth-refusals.js'
import { IngressAuth } from './policy/guard/ingress-auth.js'
import { RefusalTally } from './policy/guard/refusal-tally.js'
import { SharedBans } from './policy/guard/shared-bans.js'
import { SourceGuard } from './policy/guard/source-guard.js'
import { PolicyController } from './policy/controller.js'
import { ClusterAdmission } from './policy/cluster-admission.js'
import { ClusterMoney } from './policy/cluster-money.js'
import { ClusterLimits } from './policy/cluster-limits.js'
import { LineCounters } from './policy/limits.js'
import { SharedState } from './shared-state/shared-state.js'
import { DigestAuthenticator } from './policy/digest.js'
import { BindingTable } from './registrar/bindings.js'
import { SharedBindings } from './registrar/shared-bindings.js'
import { Registrar } from './registrar/registrar.js'
import { BindingStore } from './registrar/store.js'
import { startStatusServer, statusNeedsKey, type StatusServer } from './status-port/server.js'
import { openStreamTransport, type StreamTransport } from './transport/stream.js'
import { TransportSet, type Transport } from './transport/types.js'
import { openUdpTransport, type UdpTransport } from './transport/udp.js'

/** Starts every part of the node; resolves once SIP and the status port listen. */
async function main(): Promise<void> {
  const env = readEnv()
  const { log, metrics, clock } = processBasics(env)
  const startedAtMs = clock.now()
  const advertised = env.SIP_ADVERTISED_HOST ?? env.SIP_HOST

  await mkdir(env.DATA_DIR, { recursive: true })
  const database: Database = openDatabase({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN, syncUrl: env.DATABASE_SYNC_URL })
  // The local default migrates itself; replicas and remote servers are migrated with `npm run db:migrate`.
  if (database.mode === 'file') await applyMigrations(database.db)

  const config = new ConfigLoader({ source: database, clock, log: log.child({ module: 'config' }), reloadMs: env.CONFIG_RELOAD_MS })
  const first = await config.start()
  // Charges the CDR writer commits leave the ledger's pending set; the balances it read back serve admission until a newer snapshot.
  const ledger = new BalanceLedger()
  // One connection for every CDR writer of the process (the sink's and the leftovers'): each batch is one synchronous transaction on it.
  const cdrInsert = openCdrInsert(database)
  const sink = await CdrSink.open({ dataDir: env.DATA_DIR, db: database.db, clock, log: log.child({ module: 'cdr' }), writer: { insert: cdrInsert, onBilled: (b) => ledger.onBilled(b) } })
  registerCdrMetrics(metrics, sinkStats(sink), () => Date.now())
  // CDRs the workers of an earlier run with CORE_WORKERS > 1 left in their folders reach the database too.
  const leftovers = workerFolders(env.DATA_DIR).length === 0
    ? null
    : await CdrCollector.open({ dataDir: env.DATA_DIR, db: database.db, clock, log: log.child({ module: 'cdr' }), leftovers: true, writer: { insert: cdrInsert, onBilled: (b) => ledger.onBilled(b) } })

  const nodeId = env.NODE_ID ?? hostname()
  // The policy reads the checker's online map from the first INVITE; the checks start once the transport is up.
  const checker = new OptionsChecker({ clock, log: log.child({ module: 'health' }), metrics })
  // Abuse guards (docs/architecture.md "Facing the internet"): bans written to ip_access_list, one event per refused
  // authentication (the ban logic listens; a persisted diagnosis can too), and ingress authentication shared by the
  // pre-transaction screen and the controller so a digest is verified once.
  const securityLog = log.child({ module: 'security' })
  // With REDIS_URL, every ban and username lock is shared with the other nodes (SharedBans, set up with the link below),
  // and each ban again once it is in the database, so an operator's removal lifts it on every node.
  let sharedBans: SharedBans | null = null
  const banWriter = new BanWriter({
    db: database.db, clock, log: securityLog, nodeId, forgetAfterMs: () => config.current.params.SS_AUTH_BAN_TIME_MAX * 1000,
    onPersisted: (ban) => sharedBans?.publishBan(ban),
  })
  const guard = new SourceGuard({
    config, metrics, log: securityLog,
    observer: {
      onBan: (ban) => {
        banWriter.onBan(ban)
        sharedBans?.publishBan(ban)
      },
      onUserLock: (gatewayId, untilMs) => sharedBans?.publishLock(gatewayId, untilMs),
    },
  })
  const refusals = new AuthRefusalFanout()
  refusals.add(guard)
  // Every refused attempt, counted per mapping gateway, source and reason for the diagnosis (docs/diagnosis.md).
  const refusalTally = new RefusalTally()
  refusals.add(refusalTally)
  const refusalWriter = new RefusalWriter({ db: database.db, clock, log: securityLog, metrics, tally: refusalTally, periodMs: env.STATUS_PUBLISH_MS })
  refusalWriter.start()
  // Several core nodes (REDIS_URL): limits count across them in Redis, on this node's share while Redis is away.
  const shared = env.REDIS_URL === undefined
    ? null
    : new SharedState({ url: env.REDIS_URL, nodeId, ttlMs: env.REDIS_NODE_TTL_MS, clock, log: log.child({ module: 'shared-state' }), metrics, dataDir: env.DATA_DIR })
  // Registrations: the registrar writes them, admission reads them (dynamic gateways); one digest nonce space for both.
  const bindings = new BindingTable(clock)
  const bindingStore = new BindingStore(database.db, nodeId)
  // With REDIS_URL every node's bindings of customer gateways admit their calls here too.
  const sharedBindings = shared === null ? null : new SharedBindings(bindings, bindingStore, shared, clock, log.child({ module: 'registrar' }))
  const registered = sharedBindings ?? bindings
  const digest = new DigestAuthenticator()
  const auth = new IngressAuth({ metrics, guard, refusals, digest, registered })
  config.observe({ onConfigSwap: (next) => guard.onConfigSwap(next) })
  // Fraud guards: the day's spend of accounts with a dailySpendLimit continues from the CDRs already written.
  const spend = new MemorySpendCounter(() => config.current.params.SS_TIMEZONE)
  const limited = [...first.accounts.values()].filter((a) => a.dailySpendLimit > 0).map((a) => a.id)
  await seedSpendToday(database.db, spend, limited, first.params.SS_TIMEZONE, clock.now())
  const lines = new LineCounters(checker)
  const guards = new CallGuards({ spend })
  const cluster = shared === null ? null : new ClusterLimits(shared, lines, guards)
  const controller = new PolicyController({ config, metrics, health: checker, ledger, auth, lines, guards, registered, ...(cluster === null ? {} : { cluster }) })
  shared?.start()
  sharedBindings?.start()
  if (shared !== null) {
    sharedBans = new SharedBans({
      link: shared, clock, log: securityLog,
      apply: { ban: (ban) => void guard.adopt(ban, clock.now()), lock: (gatewayId, untilMs) => guard.lockUser(gatewayId, untilMs) },
      held: () => ({ bans: guard.bans.values(), locks: guard.activeLocks(clock.now()) }),
    })
    sharedBans.start()
  }
  const media = mediaEnvironment(env, { min: env.RTP_PORT_MIN, max: env.RTP_PORT_MAX }, advertised, clock, log, metrics)
  const admission = cluster === null ? controller : new ClusterAdmission(controller, cluster, config, new ClusterMoney(shared!))
  const b2bua = callB2bua({ env, media, log, metrics, controller: admission, sink, advertised, nodeId })
  const registrar = new Registrar({ config, bindings, store: sharedBindings ?? bindingStore, digest, refusals, clock, log: log.child({ module: 'registrar' }), metrics })
  const { layer } = sipStack({ env, first, config, b2bua, guard, auth, cdrs: sink, registrar, clock, log, securityLog, metrics, nodeId, advertised })
  // Stored bindings come back before the first datagram, so a dynamic gateway's calls are known at once after a restart.
  const restored = await registrar.start(layer)
  if (restored > 0) log.info('registrations restored', { bindings: restored })

  const transport: UdpTransport = await openUdpTransport({ host: env.SIP_HOST, port: env.SIP_PORT, user: layer, log, metrics })
  // RFC 3261 §18: every element speaks TCP too, on the same port number; TLS on its own port once a certificate is set.
  const limits = {
    maxConnections: env.SIP_TCP_MAX_CONNECTIONS, maxPerSource: env.SIP_TCP_MAX_PER_SOURCE, idleMs: env.SIP_TCP_IDLE_MS, messageMs: env.SIP_TCP_MESSAGE_MS,
  }
  const streamHost = env.SIP_TCP_HOST ?? env.SIP_HOST
  const tcp: StreamTransport = await openStreamTransport({ protocol: 'TCP', host: streamHost, port: transport.local.port, user: layer, limits, log, metrics })
  const tlsMaterial = await readTlsMaterial(env)
  const tls: StreamTransport | null = tlsMaterial === undefined
    ? null
    : await openStreamTransport({ protocol: 'TLS', host: streamHost, port: env.SIP_TLS_PORT, user: layer, tls: tlsMaterial, limits, log, metrics })
  const transports = new TransportSet(tls === null ? [transport, tcp] : [transport, tcp, tls])
  layer.useTransports(transports)
  checker.start(layer, transport, config.current)
  config.observe({ onConfigSwap: (next) => checker.apply(next) })
  const liveLog = log.child({ module: 'live' })
  const publisher = new StatusPublisher({
    db: database.db, clock, log: liveLog, metrics, nodeId, periodMs: env.STATUS_PUBLISH_MS,
    sources: { snapshot: () => config.current, lines: controller.lines, probe: (id) => checker.view(id) },
  })
  publisher.start()
  const networkTests = new NetworkTestRunner({ db: database.db, sync: () => database.sync(), clock, log: liveLog, nodeId, prober: checker, pollMs: env.NETWORK_TEST_POLL_MS })
  networkTests.start()
  let draining = false
  // Calls in progress for GET /v1/calls and the operator's hang-up, both through the database (a Worker cannot reach this node).
  const liveCalls = new LiveCallsPublisher({
    db: database.db, clock, log: liveLog, metrics, nodeId, periodMs: env.STATUS_PUBLISH_MS, calls: () => b2bua.callSummaries(), draining: () => draining,
  })
  liveCalls.start()
  const hangups = new HangupRunner({
    db: database.db, sync: () => database.sync(), clock, log: liveLog, nodeId, pollMs: env.HANGUP_POLL_MS,
    calls: { has: (id) => b2bua.hasCall(id), hangup: (id) => b2bua.hangupCall(id) },
  })
  hangups.start()
  const status: StatusServer = await startStatusServer({
    host: env.STATUS_HOST,
    port: env.STATUS_PORT,
    metrics,
    log,
    calls: () => b2bua.callSummaries(),
    // Calls carry customers' numbers: beyond loopback /v1/calls needs STATUS_API_KEY.
    callsKey: { required: statusNeedsKey(env.STATUS_HOST), secret: env.STATUS_API_KEY },
    now: () => clock.now(),
    health: () => ({
      ok: !draining,
      draining,
      configVersion: config.current.version,
      configReloadFailures: config.consecutiveFailures,
      transactions: layer.size,
      connections: { tcp: tcp.connectionCount, tls: tls?.connectionCount ?? 0 },
      calls: b2bua.activeCalls,
      gateways: { checked: checker.ids.length, offline: [...checker.online].filter(([, up]) => !up).map(([id]) => id) },
      statusPublishFailures: publisher.consecutiveFailures,
      ...(shared === null ? {} : { sharedState: sharedStateHealth(shared) }),
      uptimeSec: Math.floor((clock.now() - startedAtMs) / 1000),
    }),
  })
  log.info('core listening', {
    sip: transports.all.map((t: Transport) => `${t.protocol.toLowerCase()}:${t.local.address}:${t.local.port}`).join(' '),
    advertised,
    status: `http://${env.STATUS_HOST}:${status.port}`,
    database: database.mode,
    configVersion: first.version,
    timers: timerParams(first),
    startupMs: Math.round(clock.now() - startedAtMs),
  })

  /** SIGTERM/SIGINT: refuse new INVITEs, let unfinished transactions end (up to DRAIN_TIMEOUT_MS; a second signal cuts it short), close the socket, flush CDRs, exit 0. */
  let hurry = false
  let stopAskedAtMs = 0
  const stop = async (signal: string): Promise<void> => {
    if (draining) {
      // One Ctrl-C can arrive twice (from the terminal and forwarded by npm): only a signal a second later hurries.
      if (clock.now() - stopAskedAtMs < 1_000) return
      // A second request (Ctrl-C twice): end the calls now instead of waiting out the drain.
      hurry = true
      return log.warn('second signal: ending calls now', { signal, calls: b2bua.activeCalls })
    }
    stopAskedAtMs = clock.now()
    draining = true
    b2bua.drain()
    log.info('stopping: draining', { signal, calls: b2bua.activeCalls, unfinished: layer.unfinished, drainTimeoutMs: env.DRAIN_TIMEOUT_MS })
    const deadline = clock.now() + env.DRAIN_TIMEOUT_MS
    while ((b2bua.activeCalls > 0 || layer.unfinished > 0) && clock.now() < deadline && !hurry) await new Promise((ok) => setTimeout(ok, 20))
    // Calls still up at the deadline end now: BYE (answered) or 503 + CANCEL, each with a SystemShutdown CDR.
    const ended = b2bua.shutdown('SystemShutdown')
    const byeDeadline = clock.now() + 2_000
    while (ended > 0 && layer.unfinished > 0 && clock.now() < byeDeadline) await new Promise((ok) => setTimeout(ok, 20))
    const left = layer.unfinished
    checker.stop()
    // A network test in flight may wait for Timer F; the shutdown gives it two seconds.
    await Promise.race([networkTests.stop(), new Promise((ok) => setTimeout(ok, 2_000))])
    await publisher.stop()
    registrar.stop()
    await hangups.stop()
    await banWriter.stop()
    await refusalWriter.stop()
    await liveCalls.stop()
    sharedBans?.stop()
    sharedBindings?.stop()
    await shared?.stop()
    await Promise.all(transports.all.map((t) => t.close()))
    config.stop()
    const cdr = await sink.close(clock.now() + 5_000)
    await leftovers?.close(clock.now() + 2_000)
    cdrInsert.close()
    await status.close()
    database.close()
    clock.stop()
    log.info('stopped', { signal, callsEndedAtShutdown: ended, unfinishedAtClose: left, cdrDrained: cdr.drained, openCalls: cdr.openCalls })
    process.exit(0)
  }
  onStopSignals(stop, log)
  // SIGHUP: a renewed certificate (certbot, ACME) is read again; new TLS connections use it, open ones keep theirs.
  process.on('SIGHUP', () => {
    if (tls === null) return log.info('SIGHUP: TLS is not configured; nothing to reload')
    readTlsMaterial(env)
      .then((m) => {
        if (m !== undefined) tls.reloadTls(m)
        log.info('TLS certificate reloaded', { cert: env.SIP_TLS_CERT_FILE })
      })
      .catch((err: unknown) => log.error('TLS reload failed; the previous certificate stays in use', { err }))
  })
}

main().catch((err: unknown) => {
  process.stderr.write(JSON.stringify({ level: 'error', time: new Date().toISOString(), service: 'core', msg: 'core failed to start', err: err instanceof Error ? { name: err.name, message: err.message, cause: String(err.cause ?? '') } : String(err) }) + '\n')
  process.exit(1)
})
