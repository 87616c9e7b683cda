// What both composition roots of the core need: the validated environment, process guards, the build version, SIP timer parameters, the TLS files, the media relay and the B2BUA of one worker.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { isIPv6 } from 'node:net'
import type { z } from 'zod'
import { coreEnvSchema, type CoreEnv } from '../config/env.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import { B2bua } from '../call/b2bua.js'
import type { CallController, CallObserver } from '../call/ports.js'
import type { ConfigObserver } from '../config/loader.js'
import { newCdrId } from '../cdr/record.js'
import { SystemClock } from '../lib/clock.js'
import { watchEventLoop } from '../lib/event-loop.js'
import { createLogger, type Logger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { BlacklistGate, IngressAuthGate, PikeGate, SourceTransactionsGate } from '../policy/guard/gates.js'
import type { IngressAuth } from '../policy/guard/ingress-auth.js'
import type { SourceGuard } from '../policy/guard/source-guard.js'
import { DEFAULT_VALIDATE_OPTIONS } from '../sip/message/validate.js'
import { TransactionLayer } from '../sip/transaction/layer.js'
import { OptionsAnswerer } from '../sip/ua/options.js'
import { RequestRouter, type RequestHandler } from '../sip/ua/router.js'
import type { MediaEnvironment } from '../media/media-session.js'
import { PortPool } from '../media/port-pool.js'
import { loadPrompt, type Prompt } from '../media/prompt.js'
import type { TimerParams } from '../sip/transaction/timers.js'
import type { TlsMaterial } from '../transport/stream.js'
import type { SharedState } from '../shared-state/shared-state.js'

/** The B2BUA of one SIP process (a whole node or one worker): the supported option tags, the CDR sink, the advertised host and port, this node's CDR ids. */
export function callB2bua(p: {
  env: CoreEnv
  media: MediaEnvironment
  log: Logger
  metrics: Metrics
  controller: CallController
  sink: CallObserver
  advertised: string
  nodeId: string
}): B2bua {
  return new B2bua({
    media: p.media,
    log: p.log.child({ module: 'call' }),
    metrics: p.metrics,
    supported: DEFAULT_VALIDATE_OPTIONS.supported,
    controller: p.controller,
    observer: p.sink,
    journalBarrier: p.env.CDR_DURABLE_ANSWER,
    advertisedHost: p.advertised,
    advertisedPort: p.env.SIP_PORT,
    nodeId: p.nodeId,
    newCdrId,
  })
}

/** /health's account of the shared state: counting in Redis or on this node's share (docs/operations.md#several-core-nodes). */
export function sharedStateHealth(shared: SharedState): { mode: string; nodes: number; downSince: string | null } {
  const down = shared.downSince
  return { mode: shared.mode, nodes: shared.liveNodes.length, downSince: down === null ? null : new Date(down).toISOString() }
}

/** The version in package.json, for softswitch_build_info (the image copies package.json beside core/). */
export const PACKAGE_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version

/** One JSON line on stderr and exit 1: what is wrong with which variable. */
function exitOnBadEnv(issues: readonly z.core.$ZodIssue[]): never {
  const problems = issues.map((i) => ({ variable: i.path.join('.') || '(env)', message: i.message }))
  process.stderr.write(JSON.stringify({ level: 'error', time: new Date().toISOString(), service: 'core', msg: 'invalid environment; the core cannot start', problems }) + '\n')
  process.exit(1)
}

/** The validated environment, or exit 1 naming what is wrong. */
export function readEnv(): CoreEnv {
  const parsed = coreEnvSchema.safeParse(process.env)
  if (!parsed.success) exitOnBadEnv(parsed.error.issues)
  return parsed.data
}

/** SIP workers of the node: CORE_WORKERS (one per CPU unless set); 1 runs the whole node in one process. */
export function coreWorkers(env: CoreEnv): number {
  return env.CORE_WORKERS
}

/** Hosts that name this node in a Request-URI (lowercase, IPv6 bracketed), for the Max-Forwards 0 rule. */
export function localHosts(env: CoreEnv): string[] {
  const hosts = new Set<string>()
  for (const h of [env.SIP_HOST, env.SIP_ADVERTISED_HOST]) {
    if (h === undefined) continue
    const l = h.toLowerCase()
    hosts.add(isIPv6(l) ? `[${l}]` : l)
  }
  return [...hosts]
}

/** T1/T2/T4 of a snapshot as transaction-layer timer parameters. */
export function timerParams(s: ConfigSnapshot): TimerParams {
  return { T1: s.params.SS_SIP_T1_MS, T2: s.params.SS_SIP_T2_MS, T4: s.params.SS_SIP_T4_MS }
}

/** A process's logger, its metrics (process figures, unexpected errors, event-loop delay) and a clock whose failing timers are counted. */
export function processBasics(env: CoreEnv, context: Record<string, unknown> = {}): { log: Logger; metrics: Metrics; clock: SystemClock } {
  const log = createLogger({ level: env.LOG_LEVEL, context: { service: 'core', ...context } })
  const metrics = new Metrics()
  metrics.collectProcessMetrics({ service: 'core', version: PACKAGE_VERSION })
  guardProcess(log, metrics)
  watchEventLoop(metrics)
  const timerErrors = metrics.counter('clock_timer_errors_total', 'Timer callbacks that threw (bugs)').labels()
  const clock = new SystemClock({
    onError: (err) => {
      timerErrors.inc()
      log.error('timer callback threw', { err })
    },
  })
  return { log, metrics, clock }
}

/** What the SIP side of a node (or of one worker) is built from. */
export interface SipStackParts {
  env: CoreEnv
  first: ConfigSnapshot
  config: { readonly current: ConfigSnapshot; observe(o: ConfigObserver): () => void }
  b2bua: B2bua
  guard: SourceGuard
  auth: IngressAuth
  /** Where refusals' CDRs go (the CDR sink). */
  cdrs: CallObserver
  /** The REGISTER handler, when this process runs the registrar. */
  registrar: RequestHandler | null
  clock: SystemClock
  log: Logger
  securityLog: Logger
  metrics: Metrics
  nodeId: string
  advertised: string
}

/**
 * The request router and the transaction layer it serves: the calls register INVITE and own the dialogs, OPTIONS has
 * its own answerer, REGISTER goes to the registrar. The screen, in order: banned and blacklisted sources cost nothing;
 * pike and the per-source transaction cap bound what an unknown source can take; unknown sources, challenges and
 * failed digests are answered once, statelessly. SIP timer changes reach new transactions.
 */
export function sipStack(p: SipStackParts): { router: RequestRouter; layer: TransactionLayer } {
  const { env, config, guard, clock, metrics, log } = p
  const router = new RequestRouter({ log: log.child({ module: 'sip' }), metrics })
  p.b2bua.register(router)
  router.handle('OPTIONS', new OptionsAnswerer({ allow: () => router.allow, supported: DEFAULT_VALIDATE_OPTIONS.supported, accept: ['application/sdp'] }))
  const refusalErrors = metrics.counter('security_refusal_cdr_errors_total', 'Refusal CDRs the sink failed to take').labels()
  router.addGate(new BlacklistGate(config, guard, clock))
  router.addGate(new PikeGate(config, guard, clock))
  router.addGate(new SourceTransactionsGate(config, guard, { serverTransactionsFrom: (address) => layer.serverTransactionsFrom(address) }))
  router.addGate(new IngressAuthGate(config, p.auth, guard, clock, {
    observer: p.cdrs, newCdrId, nodeId: p.nodeId,
    onError: (err) => {
      refusalErrors.inc()
      p.securityLog.error('refusal CDR not recorded', { err })
    },
  }))
  if (p.registrar !== null) router.handle('REGISTER', p.registrar)
  const layer = new TransactionLayer({
    clock,
    user: router,
    // The B2BUA sends 100 Trying after admission, so an INVITE the policy drops silently never saw one.
    autoTrying: false,
    timers: timerParams(p.first),
    validate: { localHosts: localHosts(env) },
    warnAgent: `${p.advertised}:${env.SIP_PORT}`,
    viaHost: env.SIP_ADVERTISED_HOST,
    log: log.child({ module: 'transaction' }),
    metrics,
  })
  p.b2bua.attach(layer)
  config.observe({
    onConfigSwap(next, previous) {
      const a = timerParams(next)
      const b = timerParams(previous)
      if (a.T1 === b.T1 && a.T2 === b.T2 && a.T4 === b.T4) return
      layer.setTimers(a)
      log.info('SIP timers changed; new transactions use them', { version: next.version, ...a })
    },
  })
  return { router, layer }
}

/** SIGTERM and SIGINT run `stop` (a failing stop exits 1). */
export function onStopSignals(stop: (signal: string) => Promise<void>, log: Logger): void {
  const onSignal = (signal: string): void => {
    stop(signal).catch((err: unknown) => {
      log.error('shutdown failed', { err })
      process.exit(1)
    })
  }
  process.on('SIGTERM', () => onSignal('SIGTERM'))
  process.on('SIGINT', () => onSignal('SIGINT'))
}

/** Keeps the process up through bugs: every unexpected error is logged and counted, never fatal. */
export function guardProcess(log: Logger, metrics: Metrics): void {
  const errors = metrics.counter('process_unexpected_errors_total', 'Uncaught exceptions and unhandled rejections (bugs)', ['kind'])
  process.on('uncaughtException', (err) => {
    errors.labels('exception').inc()
    log.error('uncaught exception', { err })
  })
  process.on('unhandledRejection', (err) => {
    errors.labels('rejection').inc()
    log.error('unhandled rejection', { err })
  })
}

/** The TLS certificate, key and CAs named by the environment; undefined when TLS is not configured. */
export async function readTlsMaterial(env: CoreEnv): Promise<TlsMaterial | undefined> {
  if (env.SIP_TLS_CERT_FILE === undefined || env.SIP_TLS_KEY_FILE === undefined) return undefined
  const [cert, key, ca] = await Promise.all([
    readFile(env.SIP_TLS_CERT_FILE),
    readFile(env.SIP_TLS_KEY_FILE),
    env.SIP_TLS_CA_FILE === undefined ? Promise.resolve(undefined) : readFile(env.SIP_TLS_CA_FILE),
  ])
  return { cert, key, verifyPeers: env.SIP_TLS_VERIFY_PEERS, ...(ca === undefined ? {} : { ca }) }
}

/** Worker `index`'s share of RTP_PORT_MIN..RTP_PORT_MAX: whole even-odd pairs, disjoint between the workers. */
export function rtpShare(min: number, max: number, index: number, workers: number): { min: number; max: number } {
  const first = min % 2 === 0 ? min : min + 1
  const pairs = Math.floor((max - first + 1) / 2)
  const per = Math.floor(pairs / workers)
  if (per < 1) return { min: first, max: first - 1 }
  const lo = first + index * per * 2
  return { min: lo, max: lo + per * 2 - 1 }
}

/** The RTP relay: port pairs from the worker's share of RTP_PORT_MIN..MAX bound on SIP_HOST, SDP on the advertised host, the warning prompt (DATA_DIR/prompts/warning.wav, else the shipped one). */
export function mediaEnvironment(env: CoreEnv, ports: { min: number; max: number }, advertised: string, clock: SystemClock, log: Logger, metrics: Metrics): MediaEnvironment {
  const pool = new PortPool(ports.min, ports.max)
  metrics.gauge('media_port_pairs_in_use', 'RTP/RTCP port pairs held by relayed calls (two per call)', [], () => pool.inUse)
  metrics.gauge('media_port_pairs_free', 'RTP/RTCP port pairs left in RTP_PORT_MIN..RTP_PORT_MAX', [], () => pool.available)
  const errors = metrics.counter('media_socket_errors_total', 'RTP/RTCP socket errors (bind failures, send errors)').labels()
  let prompt: Prompt
  try {
    prompt = loadPrompt(env.DATA_DIR)
  } catch (err) {
    // An operator's unusable WAV must not stop calls: warn and play the shipped prompt.
    log.error('warning prompt unusable; using the shipped one', { err })
    prompt = loadPrompt(undefined)
  }
  log.info('media relay ready', { ports: `${ports.min}-${ports.max}`, pairs: pool.capacity, prompt: prompt.path, promptMs: prompt.durationMs })
  return {
    pool, bindHost: env.SIP_HOST, advertisedHost: advertised, clock, prompt,
    onError: (err) => {
      errors.inc()
      log.warn('media socket error', { err })
    },
  }
}
