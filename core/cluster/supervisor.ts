// The primary's hold on its SIP workers: starts them (worker 0 first when a port is picked by the kernel), restarts one that dies or hangs after its open calls became CDRs, asks them questions, and drains them all on SIGTERM.
import { fork, type ChildProcess } from 'node:child_process'
import type { Logger } from '../lib/log.js'
import type { CounterSeries, Metrics } from '../lib/metrics.js'
import type { SnapshotInput } from '../config/snapshot.js'
import { IpcError, Questions, type Ask, type ToPrimary, type ToWorker, type WorkerQueries } from './ipc.js'
import { withCoreFlags } from '../lib/node-flags.js'

/** What the supervisor needs from the node. */
export interface SupervisorOptions {
  /** The worker entry point (core/worker.ts). */
  entry: string
  workers: number
  /** Environment of every worker (the primary's, plus the worker's index, count and mesh folder). */
  env: NodeJS.ProcessEnv
  meshDir: string
  /** The configuration rows every worker builds its snapshot from (the latest is sent to a worker as it starts). */
  config: () => SnapshotInput
  /** What worker `index` hears right after its first configuration (registrations, the day's spend). */
  greeting: (index: number) => Promise<ToWorker>
  /** Runs before worker `index` starts (again): its journal's open calls become SystemShutdown CDRs. */
  prepare: (index: number) => Promise<void>
  /** A notice from worker `index`. */
  onNotice: (index: number, m: Exclude<ToPrimary, Ask | { t: 'reply' }>) => void
  /** Worker `index`, process `pid`, exited (it is restarted unless the node is stopping). */
  onExit?: (index: number, pid: number | undefined) => void
  /** A ready worker that answers nothing for this long is killed and started again; 0 watches none (CORE_WORKER_HANG_MS). */
  hangMs?: number
  log: Logger
  metrics: Metrics
}

/** Restart delays after a worker died: the first at once, then doubling up to this while it keeps dying within a minute. */
const MAX_BACKOFF_MS = 30_000

/** One worker slot: the process now in it and what it said. */
interface Slot {
  index: number
  child: ChildProcess | null
  ready: boolean
  questions: Questions
  /** When the process in the slot started (restart backoff). */
  startedAtMs: number
  backoffMs: number
  exited: Promise<void>
  /** When the process in the slot last said anything (a reply or a notice). */
  heardAtMs: number
}

/** Thrown when a worker cannot start. */
export class WorkerStartError extends Error {
  override name = 'WorkerStartError'
}

/** Starts, watches and stops the node's worker processes. */
export class Supervisor {
  private readonly slots: Slot[] = []
  private stopping = false
  private udpPort = 0
  private tlsPort: number | null = null
  private readonly restarts: CounterSeries
  private readonly hangKills: CounterSeries
  private watchdog: NodeJS.Timeout | null = null

  constructor(private readonly opts: SupervisorOptions) {
    const m = opts.metrics
    this.restarts = m.counter('worker_restarts_total', 'SIP workers that died and were started again').labels()
    this.hangKills = m.counter('worker_hang_kills_total', 'SIP workers killed because they answered nothing for CORE_WORKER_HANG_MS').labels()
    m.gauge('workers', 'SIP worker processes running and ready', [], () => this.slots.filter((s) => s.ready).length)
  }

  /** The SIP UDP/TCP and TLS ports the workers bound (worker 0 decides when the environment says 0). */
  get ports(): { udp: number; tls: number | null } {
    return { udp: this.udpPort, tls: this.tlsPort }
  }

  /** The process id of worker `index` now, if one runs. */
  pidOf(index: number): number | undefined {
    return this.slots[index]?.child?.pid
  }

  /** Process ids of the workers now running (tests kill one). */
  get pids(): number[] {
    return this.slots.flatMap((s) => (s.child?.pid === undefined ? [] : [s.child.pid]))
  }

  /**
   * Starts every worker; resolves once all listen. With SIP_PORT (or SIP_TLS_PORT) 0, worker 0 binds first so the
   * rest share the port the kernel picked; otherwise they all start at once.
   */
  async start(): Promise<void> {
    for (let i = 0; i < this.opts.workers; i++) this.slots.push({ index: i, child: null, ready: false, questions: new Questions(), startedAtMs: 0, backoffMs: 0, exited: Promise.resolve(), heardAtMs: 0 })
    this.watch()
    const port = Number(this.opts.env['SIP_PORT'] ?? 5060)
    const tls = this.opts.env['SIP_TLS_CERT_FILE'] ? Number(this.opts.env['SIP_TLS_PORT'] ?? 5061) : 1
    if (port > 0 && tls > 0) {
      this.udpPort = port
      await Promise.all(this.slots.map((s) => this.launch(s)))
      return
    }
    await this.launch(this.slots[0]!)
    await Promise.all(this.slots.slice(1).map((s) => this.launch(s)))
  }

  /** Sends a notice to every running worker. */
  broadcast(m: ToWorker, except?: number): void {
    for (const s of this.slots) if (s.index !== except && s.ready) this.post(s, m)
  }

  /** Sends a notice to worker `index` when it runs. */
  tell(index: number, m: ToWorker): void {
    const s = this.slots[index]
    if (s !== undefined) this.post(s, m)
  }

  /** Asks worker `index`; rejects when it is not running or does not answer within `timeoutMs`. */
  ask<K extends keyof WorkerQueries>(index: number, q: WorkerQueries[K]['q'], timeoutMs = 2_000): Promise<WorkerQueries[K]['a']> {
    const s = this.slots[index]
    if (s === undefined || !s.ready || s.child === null) return Promise.reject(new IpcError(`worker ${index} is not running`))
    const child = s.child
    return s.questions.ask<K>((m) => child.connected && child.send(m), q, timeoutMs)
  }

  /** Asks every running worker; the answers of those that answered in time, in worker order. */
  async askAll<K extends keyof WorkerQueries>(q: WorkerQueries[K]['q'], timeoutMs = 2_000): Promise<WorkerQueries[K]['a'][]> {
    const answers = await Promise.allSettled(this.slots.filter((s) => s.ready).map((s) => this.ask<K>(s.index, q, timeoutMs)))
    return answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []))
  }

  /** SIGTERM: every worker drains (for up to `timeoutMs`) and exits; one that outlives the drain by 15 s is killed. */
  async drain(timeoutMs: number): Promise<void> {
    this.stopping = true
    if (this.watchdog !== null) clearInterval(this.watchdog)
    for (const s of this.slots) if (s.child !== null) this.post(s, { t: 'drain', timeoutMs })
    const hard = setTimeout(() => {
      for (const s of this.slots) if (s.child !== null && s.child.exitCode === null) s.child.kill('SIGKILL')
    }, timeoutMs + 15_000)
    await Promise.all(this.slots.map((s) => s.exited))
    clearTimeout(hard)
  }

  /** A second signal: workers end their calls now. */
  hurry(): void {
    this.broadcast({ t: 'hurry' })
  }

  /**
   * Pings every ready worker four times per `hangMs`; one that said nothing for `hangMs` (stopped, or its event loop
   * stuck) is killed with SIGKILL, and its exit restarts it as any death does.
   */
  private watch(): void {
    const hangMs = this.opts.hangMs ?? 0
    if (hangMs <= 0) return
    const every = Math.max(50, Math.floor(hangMs / 4))
    this.watchdog = setInterval(() => {
      const now = Date.now()
      for (const s of this.slots) {
        const child = s.child
        if (!s.ready || child === null || child.exitCode !== null) continue
        if (now - s.heardAtMs >= hangMs) {
          this.hangKills.inc()
          this.opts.log.error('worker answered nothing; killing it', { worker: s.index, pid: child.pid, silentMs: now - s.heardAtMs })
          child.kill('SIGKILL')
          continue
        }
        s.questions.ask<'ping'>((m) => child.connected && child.send(m), { k: 'ping' }, every).catch(() => {})
      }
    }, every)
    this.watchdog.unref()
  }

  private post(s: Slot, m: ToWorker): void {
    try {
      if (s.child?.connected === true) s.child.send(m)
    } catch (err) {
      this.opts.log.warn('cannot reach a worker', { worker: s.index, err })
    }
  }

  /** Starts the process of slot `s` and resolves once it listens (rejects if it exits first). */
  private async launch(s: Slot): Promise<void> {
    await this.opts.prepare(s.index)
    const env: NodeJS.ProcessEnv = {
      ...this.opts.env,
      CORE_WORKER_INDEX: String(s.index),
      CORE_WORKER_COUNT: String(this.opts.workers),
      CORE_MESH_DIR: this.opts.meshDir,
    }
    if (this.udpPort !== 0) env['SIP_PORT'] = String(this.udpPort)
    if (this.tlsPort !== null) env['SIP_TLS_PORT'] = String(this.tlsPort)
    const child = fork(this.opts.entry, [], { env, execArgv: withCoreFlags(process.execArgv), serialization: 'advanced', stdio: 'inherit' })
    s.child = child
    s.ready = false
    s.startedAtMs = Date.now()
    s.questions = new Questions()
    let ready: () => void = () => {}
    let failed: (e: Error) => void = () => {}
    const up = new Promise<void>((ok, fail) => {
      ready = ok
      failed = fail
    })
    s.exited = new Promise<void>((done) => child.once('exit', (code, signal) => {
      s.ready = false
      s.child = null
      s.questions.abandon(`worker ${s.index} exited`)
      failed(new WorkerStartError(`worker ${s.index} exited before it listened (code ${code}, signal ${signal})`))
      this.exited(s, code, signal, child.pid)
      done()
    }))
    child.on('message', (m: ToPrimary) => {
      if (s.child === child) s.heardAtMs = Date.now()
      if (m.t === 'reply') return s.questions.settle(m)
      // Takes read after the worker exited would hold lines for nobody.
      if (m.t === 'limits' && s.child !== child) return
      if (m.t === 'ask') return
      if (m.t === 'ready') {
        if (this.udpPort === 0) this.udpPort = m.udpPort
        if (this.tlsPort === null) this.tlsPort = m.tlsPort
        s.ready = true
        s.heardAtMs = Date.now()
        ready()
      }
      this.opts.onNotice(s.index, m)
    })
    child.on('error', (err) => this.opts.log.error('worker process error', { worker: s.index, err }))
    child.send({ t: 'config', input: this.opts.config() } satisfies ToWorker)
    const greeting = await this.opts.greeting(s.index)
    if (child.connected) child.send(greeting)
    await up
    this.opts.log.info('worker started', { worker: s.index, pid: child.pid })
  }

  /** A worker exited: unless the node stops, it is started again (its calls are gone; their CDRs come from its journal). */
  private exited(s: Slot, code: number | null, signal: NodeJS.Signals | null, pid: number | undefined): void {
    this.opts.onExit?.(s.index, pid)
    if (this.stopping) return
    this.restarts.inc()
    const quick = Date.now() - s.startedAtMs < 60_000
    s.backoffMs = quick ? Math.min(MAX_BACKOFF_MS, s.backoffMs === 0 ? 250 : s.backoffMs * 2) : 0
    this.opts.log.error('worker died; starting it again', { worker: s.index, code, signal, inMs: s.backoffMs })
    setTimeout(() => {
      if (this.stopping) return
      this.launch(s).catch((err: unknown) => this.opts.log.error('worker restart failed', { worker: s.index, err }))
    }, s.backoffMs)
  }
}
