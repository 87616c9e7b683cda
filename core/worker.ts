// The composition root of one SIP worker of the core: its own UDP, TCP and TLS sockets on the node's ports (SO_REUSEPORT), the dispatch that hands each message to its owner, transactions, router, calls, policy and its CDR journal; the primary (main.ts) feeds it configuration and asks it for health, metrics and calls.
import { hostname } from 'node:os'
import { workerJournalDir } from './cdr/collector.js'
import { CdrSink } from './cdr/sink.js'
import { callB2bua, mediaEnvironment, processBasics, readEnv, readTlsMaterial, rtpShare, sipStack } from './cluster/common.js'
import { answer, type LineReport, type ToPrimary, type ToWorker, type WorkerHealth, type WorkerQuery } from './cluster/ipc.js'
import { NodeQuality } from './cluster/node-quality.js'
import { PrimaryLimitsLink } from './cluster/limits-link.js'
import { PrimaryMoneyLink } from './cluster/money-link.js'
import { CallGuards, MemorySpendCounter, type SpendCounter } from './policy/call-guards.js'
import { ClusterAdmission } from './policy/cluster-admission.js'
import { ClusterLimits } from './policy/cluster-limits.js'
import { LineCounters } from './policy/limits.js'
import { BindingTable, NodeRegistrations, type Binding } from './registrar/bindings.js'
import { Registrar } from './registrar/registrar.js'
import type { BindingStorage } from './registrar/store.js'
import { ConfigFeed } from './config/feed.js'
import type { SnapshotInput } from './config/snapshot.js'
import { OptionsChecker } from './gateway-probes/options-checker.js'
import type { ProbeView } from './gateway-probes/probe-state.js'
import { AuthRefusalFanout } from './policy/guard/auth-refusals.js'
import { RefusalTally } from './policy/guard/refusal-tally.js'
import { IngressAuth } from './policy/guard/ingress-auth.js'
import { SourceGuard } from './policy/guard/source-guard.js'
import type { GatewayHealth } from './policy/limits.js'
import { BalanceLedger } from './policy/balance-ledger.js'
import { PolicyController } from './policy/controller.js'
import { DigestAuthenticator } from './policy/digest.js'
import { setIdMark } from './sip/message/build.js'
import { REGISTRAR_WORKER, STREAM_WORKER, WorkerDispatch } from './sip/ua/worker-dispatch.js'
import { Mesh, type MeshFrame } from './transport/mesh.js'
import { RemoteFlowTransport } from './transport/remote-flow.js'
import { openStreamTransport, type StreamTransport } from './transport/stream.js'
import { TransportSet, type Transport, type TransportProtocol } from './transport/types.js'
import { openUdpTransport, type UdpTransport } from './transport/udp.js'

/** A non-negative integer the primary put in the environment of this worker, or exit 1. */
function fromPrimary(name: string): number {
  const v = Number(process.env[name])
  if (!Number.isInteger(v) || v < 0) {
    process.stderr.write(JSON.stringify({ level: 'error', service: 'core', msg: `${name} missing: a worker is started by core/main.ts` }) + '\n')
    process.exit(1)
  }
  return v
}

/** Bindings notices waiting for the primary's `bindings-stored`, by number. */
type StoredWaiters = Map<number, { ok(): void; fail(e: Error): void }>

/** The registrar's storage in a worker: the primary writes the bindings (and tells the other workers); a REGISTER is answered once it did. */
function primaryBindingStorage(toPrimary: (m: ToPrimary) => boolean, loaded: readonly Binding[], waiters: StoredWaiters): BindingStorage {
  let n = 0
  return {
    load: (nowMs) => Promise.resolve(loaded.filter((b) => b.expiresAtMs > nowMs)),
    replace: (kind, gatewayId, list) => new Promise<void>((ok, fail) => {
      const id = ++n
      waiters.set(id, { ok, fail })
      if (!toPrimary({ t: 'bindings', n: id, kind, gatewayId, bindings: [...list] })) {
        waiters.delete(id)
        fail(new Error('the primary is unreachable'))
      }
    }),
    delete: (ids) => {
      toPrimary({ t: 'bindings-expired', ids: [...ids] })
      return Promise.resolve()
    },
  }
}

/** Starts the worker; resolves once its sockets listen and the primary was told. */
async function main(): Promise<void> {
  const env = readEnv()
  const index = fromPrimary('CORE_WORKER_INDEX')
  const workers = fromPrimary('CORE_WORKER_COUNT')
  const meshDir = process.env['CORE_MESH_DIR'] ?? ''
  setIdMark(index)
  const { log, metrics, clock } = processBasics(env, { worker: index })
  const toPrimary = (m: ToPrimary): boolean => process.send?.(m) ?? false
  // The primary is the node: without it this worker must not hold the SIP port a new node will bind.
  process.on('disconnect', () => {
    log.error('the primary is gone; this worker stops now')
    process.exit(1)
  })
  let onMessage: (m: ToWorker) => void = () => {}
  const early: ToWorker[] = []
  let firstInput: ((i: SnapshotInput) => void) | null = null
  const firstConfig = new Promise<SnapshotInput>((ok) => (firstInput = ok))
  let greeted: ((g: Extract<ToWorker, { t: 'greeting' }>) => void) | null = null
  const greeting = new Promise<Extract<ToWorker, { t: 'greeting' }>>((ok) => (greeted = ok))
  process.on('message', (m: ToWorker) => {
    if (firstInput !== null && m.t === 'config') {
      firstInput(m.input)
      firstInput = null
      return
    }
    if (m.t === 'greeting') {
      greeted?.(m)
      greeted = null
      return
    }
    if (firstInput !== null) early.push(m)
    else onMessage(m)
  })

  const storedWaiters: StoredWaiters = new Map()
  const config = new ConfigFeed(log.child({ module: 'config' }))
  const first = config.install(await firstConfig)
  const advertised = env.SIP_ADVERTISED_HOST ?? env.SIP_HOST

  // CDRs: journaled here (fsync), read into the database by the primary, which hears of every append.
  const sink = await CdrSink.open({ dataDir: env.DATA_DIR, dir: workerJournalDir(env.DATA_DIR, index), clock, log: log.child({ module: 'cdr' }) })
  let journaled = { count: 0, bytes: 0, firstAtMs: 0 }
  let reportTimer: NodeJS.Timeout | null = null
  const reportJournaled = (): void => {
    reportTimer = null
    if (journaled.count === 0) return
    toPrimary({ t: 'cdr', ...journaled })
    journaled = { count: 0, bytes: 0, firstAtMs: 0 }
  }
  sink.journal.onAppend = (bytes, atMs) => {
    if (journaled.count === 0) journaled.firstAtMs = atMs
    journaled.count++
    journaled.bytes += bytes
    reportTimer ??= setTimeout(reportJournaled, 20)
  }

  const nodeId = env.NODE_ID ?? hostname()
  // One worker probes the routing gateways; the others learn their online state from it through the primary.
  const prober = index === 0 ? new OptionsChecker({ clock, log: log.child({ module: 'health' }), metrics }) : null
  const online = new Map<string, boolean>()
  const health: GatewayHealth = prober ?? { online }
  const securityLog = log.child({ module: 'security' })
  // The screen's per-source counts: pike and the transaction cap on this worker's share (new requests spread by
  // Call-ID), failures, bans and username locks counted and decided by the primary for the whole node.
  const guard = new SourceGuard({
    config, metrics, log: securityLog, share: 1 / workers,
    judge: {
      refused: (r) => void toPrimary({ t: 'refused', r }),
      offence: (o) => void toPrimary({ t: 'offence', o }),
      cleared: (ip) => void toPrimary({ t: 'cleared', ip }),
    },
  })
  const refusals = new AuthRefusalFanout()
  refusals.add(guard)
  // Every refused attempt, counted per mapping gateway, source and reason; the primary writes them (docs/diagnosis.md).
  const refusalTally = new RefusalTally()
  refusals.add(refusalTally)
  // One nonce secret for the node: a challenge one worker sent is answered on whichever worker the retry reaches.
  const secret = process.env['CORE_NODE_SECRET']
  const digest = new DigestAuthenticator(secret === undefined || secret === '' ? {} : { secret: Buffer.from(secret, 'hex') })
  // Registrations: worker 0 runs the registrar (every REGISTER is its), the primary stores and passes on its bindings,
  // and with REDIS_URL the customer gateways' bindings other nodes published.
  const bindings = new BindingTable(clock)
  const registered = new NodeRegistrations(bindings, new BindingTable(clock))
  const auth = new IngressAuth({ metrics, guard, refusals, digest, registered })
  config.observe({ onConfigSwap: (next) => guard.onConfigSwap(next) })
  const ledger = new BalanceLedger()
  const hello = await greeting
  bindings.setAll(hello.bindings)
  registered.remote.setAll(hello.remoteBindings)
  for (const ban of hello.bans) guard.bans.put(ban)
  for (const [gatewayId, untilMs] of hello.locks) guard.lockUser(gatewayId, untilMs)
  // Fraud guards: the day's spend of accounts with a dailySpendLimit continues from the CDRs the primary read.
  const spent = new MemorySpendCounter(() => config.current.params.SS_TIMEZONE)
  for (const [id, amount, atMs] of hello.spend) spent.add(id, amount, atMs)
  // A limited account's billed call counts on every worker: the others hear of it through the primary.
  const spend: SpendCounter = {
    add(accountId, amount, atMs) {
      spent.add(accountId, amount, atMs)
      if ((config.current.accounts.get(accountId)?.dailySpendLimit ?? 0) > 0) toPrimary({ t: 'spend', rows: [[accountId, amount, atMs]] })
    },
    spent: (accountId, atMs) => spent.spent(accountId, atMs),
  }
  // Line limits, calls per second and account concurrent calls count in the primary for every worker (docs/capacity.md).
  const lines = new LineCounters(health)
  const guards = new CallGuards({ spend })
  const limitsLink = new PrimaryLimitsLink((b) => toPrimary({ t: 'limits', ...b }), metrics)
  const cluster = new ClusterLimits(limitsLink, lines, guards)
  // Quality routing judges a vendor on every worker's calls (node-quality.ts).
  const quality = new NodeQuality(() => config.current.params, (rows) => toPrimary({ t: 'quality', rows }))
  const controller = new PolicyController({ config, metrics, health, ledger, auth, lines, guards, cluster, registered, quality })
  const media = mediaEnvironment(env, rtpShare(env.RTP_PORT_MIN, env.RTP_PORT_MAX, index, workers), advertised, clock, log, metrics)
  // Prepaid customers' money is reserved in the primary too, against each account's one balance.
  const moneyLink = new PrimaryMoneyLink((b) => toPrimary({ t: 'money', ...b }))
  const b2bua = callB2bua({ env, media, log, metrics, controller: new ClusterAdmission(controller, cluster, config, moneyLink), sink, advertised, nodeId })
  const registrar = index === REGISTRAR_WORKER
    ? new Registrar({ config, bindings, store: primaryBindingStorage(toPrimary, hello.bindings, storedWaiters), digest, refusals, clock, log: log.child({ module: 'registrar' }), metrics })
    : null
  const { layer } = sipStack({ env, first, config, b2bua, guard, auth, cdrs: sink, registrar, clock, log, securityLog, metrics, nodeId, advertised })
  await registrar?.start(layer)

  // Messages arrive on whichever worker the kernel picks; the dispatch hands each to its owner over the mesh.
  const mesh = await Mesh.listen({ dir: meshDir, self: index, onFrame: (f) => onFrame(f), log: log.child({ module: 'mesh' }), metrics })
  const dispatch = new WorkerDispatch({
    self: index, workers, local: layer, metrics,
    forward: (owner, buf, remote, transport) => mesh.send(owner, 'deliver', transport.protocol, remote, buf),
  })
  const shared = workers > 1
  const udp: UdpTransport = await openUdpTransport({ host: env.SIP_HOST, port: env.SIP_PORT, user: dispatch, reusePort: shared, log, metrics })
  const limits = {
    maxConnections: env.SIP_TCP_MAX_CONNECTIONS, maxPerSource: env.SIP_TCP_MAX_PER_SOURCE, idleMs: env.SIP_TCP_IDLE_MS, messageMs: env.SIP_TCP_MESSAGE_MS,
  }
  const streamHost = env.SIP_TCP_HOST ?? env.SIP_HOST
  // One worker holds every TCP and TLS connection, so the node's connection limits count exactly; the others send
  // over them through the mesh, and what arrives on them is handed to its owner like a datagram.
  const holder = index === STREAM_WORKER
  const tcp: StreamTransport | null = holder
    ? await openStreamTransport({ protocol: 'TCP', host: streamHost, port: udp.local.port, user: dispatch, limits, log, metrics })
    : null
  const tlsMaterial = holder ? await readTlsMaterial(env) : undefined
  const tls: StreamTransport | null = tlsMaterial === undefined
    ? null
    : await openStreamTransport({ protocol: 'TLS', host: streamHost, port: env.SIP_TLS_PORT, user: dispatch, tls: tlsMaterial, limits, log, metrics })
  const streamHostAddr = { address: streamHost, family: udp.local.family }
  const tcpT: Transport = tcp ?? new RemoteFlowTransport('TCP', { ...streamHostAddr, port: udp.local.port }, STREAM_WORKER, mesh)
  const tlsT: Transport | null = tls ?? (env.SIP_TLS_CERT_FILE === undefined ? null : new RemoteFlowTransport('TLS', { ...streamHostAddr, port: env.SIP_TLS_PORT }, STREAM_WORKER, mesh))
  const transports = new TransportSet(tlsT === null ? [udp, tcpT] : [udp, tcpT, tlsT])
  layer.useTransports(transports)
  const local = (p: TransportProtocol): Transport | undefined => (p === 'UDP' ? udp : p === 'TCP' ? tcpT : tlsT ?? undefined)
  const onFrame = (f: MeshFrame): void => {
    // `send`: bytes for a connection this worker holds; `deliver`: a message this worker owns.
    const via = local(f.protocol)
    if (via === undefined) return
    if (f.kind === 'send') via.send(f.bytes, f.remote)
    else layer.onMessage(f.bytes, f.remote, via)
  }

  if (prober !== null) {
    prober.start(layer, udp, config.current)
    config.observe({ onConfigSwap: (next) => prober.apply(next) })
  }
  const report = setInterval(() => {
    if (prober !== null) {
      // Plain copies: the view's figures are getters, which a structured clone leaves out.
      const views = prober.ids.flatMap((id): [string, ProbeView][] => {
        const v = prober.view(id)
        return v === undefined ? [] : [[id, { online: v.online, lastCheckAtMs: v.lastCheckAtMs, rttMs: v.rttMs, lossRatio: v.lossRatio, lastCode: v.lastCode }]]
      })
      toPrimary({ t: 'probes', views, online: [...prober.online] })
    }
    toPrimary({ t: 'lines', report: lineReport() })
    const rows = refusalTally.take(Math.floor(clock.now()))
    if (rows.length > 0) toPrimary({ t: 'refusals', rows })
  }, 1_000)
  const lineReport = (): LineReport => {
    const lines = controller.lines
    const mapping: [string, number][] = []
    for (const id of config.current.mappingGateways.keys()) {
      const n = lines.ingressCalls(id)
      if (n > 0) mapping.push([id, n])
    }
    return { mapping, routing: [...(lines.live.gatewayCalls ?? new Map<string, number>())], takenMapping: [...lines.taken.mapping], takenRouting: [...lines.taken.routing] }
  }

  let draining = false
  let hurry = false
  const workerHealth = (): WorkerHealth => ({
    index, pid: process.pid, configVersion: config.current.version, draining, transactions: layer.size, unfinished: layer.unfinished, calls: b2bua.activeCalls,
    connections: { tcp: tcp?.connectionCount ?? 0, tls: tls?.connectionCount ?? 0 },
  })
  const handle = (q: WorkerQuery): unknown => {
    switch (q.k) {
      case 'ping':
        return true
      case 'health':
        return workerHealth()
      case 'calls':
        return b2bua.callSummaries()
      case 'metrics':
        return metrics.families()
      case 'hasCall':
        return b2bua.hasCall(q.id)
      case 'hangup':
        return b2bua.hangupCall(q.id)
      case 'networkTest':
        if (prober === null) throw new Error('network tests run on worker 0')
        return prober.networkTest({ host: q.host, port: q.port }, q.count, q.intervalMs)
    }
  }

  /** The primary's SIGTERM: refuse new INVITEs, let calls and transactions end (a `hurry` cuts it short), close, flush the journal, exit 0. */
  const drain = async (timeoutMs: number): Promise<void> => {
    if (draining) return
    draining = true
    b2bua.drain()
    dispatch.drain()
    log.info('draining', { calls: b2bua.activeCalls, unfinished: layer.unfinished, timeoutMs })
    const deadline = clock.now() + timeoutMs
    while ((b2bua.activeCalls > 0 || layer.unfinished > 0) && clock.now() < deadline && !hurry) await new Promise((ok) => setTimeout(ok, 20))
    const ended = b2bua.shutdown('SystemShutdown')
    const byeDeadline = clock.now() + 2_000
    while (ended > 0 && layer.unfinished > 0 && clock.now() < byeDeadline) await new Promise((ok) => setTimeout(ok, 20))
    const left = layer.unfinished
    prober?.stop()
    registrar?.stop()
    clearInterval(report)
    await Promise.all(transports.all.map((t) => t.close()))
    await mesh.close()
    const cdr = await sink.close(clock.now() + 5_000)
    if (reportTimer !== null) clearTimeout(reportTimer)
    reportJournaled()
    clock.stop()
    log.info('stopped', { callsEndedAtShutdown: ended, unfinishedAtClose: left, openCalls: cdr.openCalls })
    process.exit(0)
  }

  onMessage = (m: ToWorker): void => {
    switch (m.t) {
      case 'config':
        config.install(m.input)
        return
      case 'ask':
        answer(m, (r) => void toPrimary(r), handle)
        return
      case 'drain':
        drain(m.timeoutMs).catch((err: unknown) => {
          log.error('drain failed', { err })
          process.exit(1)
        })
        return
      case 'hurry':
        hurry = true
        return
      case 'tls-reload':
        if (tls === null) return
        readTlsMaterial(env)
          .then((mat) => {
            if (mat !== undefined) tls.reloadTls(mat)
            log.info('TLS certificate reloaded', { cert: env.SIP_TLS_CERT_FILE })
          })
          .catch((err: unknown) => log.error('TLS reload failed; the previous certificate stays in use', { err }))
        return
      case 'ban':
        guard.bans.put(m.ban)
        return
      case 'user-lock':
        guard.lockUser(m.gatewayId, m.untilMs)
        return
      case 'online':
        online.clear()
        for (const [id, up] of m.online) online.set(id, up)
        return
      case 'billed':
        ledger.onBilled(m.batch)
        return
      case 'money':
        moneyLink.granted(m.grants)
        return
      case 'limits':
        limitsLink.answered(m.answers)
        return
      case 'spend':
        for (const [id, amount, atMs] of m.rows) spent.add(id, amount, atMs)
        return
      case 'quality':
        quality.recordShared(m.rows)
        return
      case 'bindings':
        bindings.set(m.kind, m.gatewayId, m.bindings)
        return
      case 'remote-bindings':
        registered.remote.set('mapping', m.gatewayId, m.bindings)
        return
      case 'bindings-stored': {
        const w = storedWaiters.get(m.n)
        storedWaiters.delete(m.n)
        if (m.ok) w?.ok()
        else w?.fail(new Error('the primary could not store the bindings'))
        return
      }
      case 'greeting':
        return
      case 'reply':
        return
    }
  }
  for (const m of early.splice(0)) onMessage(m)
  toPrimary({ t: 'ready', index, udpPort: udp.local.port, tlsPort: tls?.local.port ?? null })
  log.info('worker listening', {
    sip: transports.all.map((t: Transport) => `${t.protocol.toLowerCase()}:${t.local.address}:${t.local.port}`).join(' '), workers, advertised,
  })
  // The primary stops the node; a signal sent to this worker alone (an operator's Ctrl-C reaches the whole group) is left to it.
  process.on('SIGTERM', () => {})
  process.on('SIGINT', () => {})
  process.on('SIGHUP', () => {})
}

main().catch((err: unknown) => {
  process.stderr.write(JSON.stringify({ level: 'error', time: new Date().toISOString(), service: 'core', msg: 'worker failed to start', err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) }) + '\n')
  process.exit(1)
})
