// Drives system tests: seeds a migrated database, starts the core as a real child process, and runs SIPp customers (foreground) and vendors (background) over loopback UDP.
import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ParamName } from '../../../shared/params/system-params.js'
import type { Database } from '../../../shared/db/node/database.js'
import { assertGone, processExists } from '../../../shared/db/node/test-support/process-gone.js'
import { openTestDatabase, writeConfig, type TestConfig } from './config-seed.js'
import { CORE_NODE_FLAGS } from '../../lib/node-flags.js'
import { coreEnvSchema } from '../../config/env.js'
import { buildCore, CORE_BUILD_ENTRY } from '../../build.js'
import { processTree } from './proc-stats.js'

/**
 * SIP workers of every core a test starts unless it says otherwise: two, the smallest node of several workers, on every
 * machine (the product's default is one per CPU, which differs between machines). CORE_WORKERS in the environment
 * of the test run overrides it (1 runs every core in one process).
 */
export const E2E_CORE_WORKERS = process.env['CORE_WORKERS'] ?? '2'

/**
 * Waits until every process of `pids` (a core and its workers, listed before it was signalled) is gone; throws if one
 * stays. A worker still loading its modules (tsx, at load 15) took over 5 s to see its primary gone.
 */
async function assertTreeGone(pids: readonly number[], what: string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (pids.some(processExists) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 25))
  for (const pid of pids) assertGone(pid, `${what}${pid === pids[0] ? '' : `'s worker`}`)
}

/** Repository root, resolved from this file. */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')
/** Folder holding the SIPp scenario files. */
export const scenarioDir = join(repoRoot, 'core/e2e/scenarios')

/** Finds a UDP port on 127.0.0.1 that is free right now. */
export async function freeUdpPort(): Promise<number> {
  const sock = createSocket('udp4')
  await new Promise<void>((ok, fail) => {
    sock.once('error', fail)
    sock.bind(0, '127.0.0.1', () => ok())
  })
  const { port } = sock.address()
  await new Promise<void>((ok) => sock.close(() => ok()))
  return port
}

/** Finds a TCP port on 127.0.0.1 that is free right now (the status port). */
export async function freeTcpPort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((ok, fail) => {
    srv.once('error', fail)
    srv.listen(0, '127.0.0.1', () => ok())
  })
  const addr = srv.address()
  await new Promise<void>((ok) => srv.close(() => ok()))
  return typeof addr === 'object' && addr !== null ? addr.port : 0
}

/** A port number free on both UDP and TCP right now (the core listens on both with one number). */
export async function freeSipPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freeUdpPort()
    const srv = createServer()
    const ok = await new Promise<boolean>((done) => {
      srv.once('error', () => done(false))
      srv.listen(port, '127.0.0.1', () => done(true))
    })
    if (ok) {
      await new Promise<void>((done) => srv.close(() => done()))
      return port
    }
  }
  throw new Error('no port free on both UDP and TCP')
}

/** Writes system parameters into a (new) database the way the edge does: migrated tables, one row each, config version bumped. */
export async function writeParams(databaseUrl: string, params: Partial<Record<ParamName, unknown>>): Promise<void> {
  const database = await openTestDatabase(databaseUrl)
  try {
    await writeConfig(database.db, { params })
  } finally {
    database.close()
  }
}

/** Options for startCore beyond the environment. */
export interface StartCoreOptions {
  /** System parameters written to the database before the core starts (e.g. small SS_SIP_T1_MS / SS_SIP_T4_MS). */
  params?: Partial<Record<ParamName, unknown>>
  /** Accounts, gateways, groups and parameters written (after migrating) before the core starts. */
  config?: TestConfig
  /** libSQL URL; default a `file:` database inside the data dir. Server URLs are migrated here too. */
  databaseUrl?: string
  /** Extra node flags for the core process (`--cpu-prof`, `--heap-prof`, ...). */
  nodeArgs?: readonly string[]
  /** Runs the core as production does, built by core/build.ts and without tsx (benchmarks); tests keep tsx. */
  built?: boolean
}

/** A core process started for a test, with what is needed to reach, configure, kill and restart it. */
export interface CoreProcess {
  sipPort: number
  statusPort: number
  /** `127.0.0.1:<sipPort>`, the SIPp target. */
  target: string
  dataDir: string
  databaseUrl: string
  /** The test's own connection to the core's database (config writes, CDR reads); closed by `stop()`. */
  database: Database
  child: ChildProcess
  /** The SIP workers it runs (1: the whole core in one process). */
  workers: number
  output: () => string
  /** Writes `config`, bumps config_version and waits until the core reports that version on /health. */
  updateConfig: (config: TestConfig) => Promise<number>
  /** SIGKILL, like a crash: nothing is flushed, calls stay open in the journal. */
  kill: () => Promise<void>
  /** Starts the core again on the same ports, data dir and database after it exited. */
  restart: () => Promise<void>
  /** SIGTERM (drain); then removes the temp data dir and closes the test's connection. Resolves to the exit code. */
  stop: () => Promise<number | null>
}

/** Starts `core/main.ts` on free ports with a temp data dir and a seeded database; resolves once it answers OPTIONS. */
export async function startCore(env: Record<string, string> = {}, opts: StartCoreOptions = {}): Promise<CoreProcess> {
  const sipPort = await freeSipPort()
  const statusPort = await freeTcpPort()
  const dataDir = mkdtempSync(join(tmpdir(), 'softswitch-e2e-'))
  const databaseUrl = opts.databaseUrl ?? `file:${join(dataDir, 'softswitch.db')}`
  const database = await openTestDatabase(databaseUrl)
  const seed: TestConfig = { ...opts.config, params: { ...opts.config?.params, ...opts.params } }
  await writeConfig(database.db, seed)
  let out = ''
  if (opts.built === true) await buildCore()
  const entry = opts.built === true ? [CORE_BUILD_ENTRY] : ['--import', 'tsx', join(repoRoot, 'core/main.ts')]
  const spawnCore = (): ChildProcess => {
    // node itself with tsx as a loader (not the tsx wrapper), so the child pid is the core: SIGKILL reaches it and /proc shows its CPU
    const child = spawn(process.execPath, [...CORE_NODE_FLAGS, ...(opts.nodeArgs ?? []), ...entry], {
      cwd: repoRoot,
      env: {
        ...process.env,
        SIP_HOST: '127.0.0.1',
        SIP_PORT: String(sipPort),
        STATUS_PORT: String(statusPort),
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'warn',
        CONFIG_RELOAD_MS: '100',
        // stop() gives the core 10 s before SIGKILL; a short drain keeps tests that stop with calls up quick and clean.
        DRAIN_TIMEOUT_MS: '5000',
        CORE_WORKERS: E2E_CORE_WORKERS,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr?.on('data', (d: Buffer) => { out += d.toString() })
    return child
  }
  const exited = (c: ChildProcess): boolean => c.exitCode !== null || c.signalCode !== null
  const waitExit = (c: ChildProcess): Promise<number | null> =>
    exited(c) ? Promise.resolve(c.exitCode) : new Promise((ok) => c.once('exit', (code) => ok(code)))
  let cleaned = false
  const core: CoreProcess = {
    sipPort, statusPort, target: `127.0.0.1:${sipPort}`, dataDir, databaseUrl, database,
    workers: coreEnvSchema.shape.CORE_WORKERS.parse(env['CORE_WORKERS'] ?? E2E_CORE_WORKERS),
    child: spawnCore(),
    output: () => out,
    async updateConfig(config) {
      const version = await writeConfig(database.db, config)
      const deadline = Date.now() + 10_000
      for (;;) {
        const h = await health(core).catch(() => null)
        if (h !== null && h.configVersion >= version) return version
        if (Date.now() > deadline) throw new Error(`core did not load config version ${version} (health: ${JSON.stringify(h)})`)
        await new Promise((ok) => setTimeout(ok, 50))
      }
    },
    async kill() {
      if (exited(core.child)) return
      const tree = processTree(core.child.pid!)
      const done = waitExit(core.child)
      core.child.kill('SIGKILL')
      await done
      // Its workers see the primary gone and exit by themselves: none may keep the SIP port.
      await assertTreeGone(tree, 'the killed core')
    },
    async restart() {
      if (!exited(core.child)) throw new Error('restart() needs the core to have exited first (kill() or stop())')
      core.child = spawnCore()
      await waitUntilUp(core)
    },
    async stop() {
      let code: number | null = core.child.exitCode
      if (!exited(core.child)) {
        const tree = processTree(core.child.pid!)
        const done = waitExit(core.child)
        core.child.kill('SIGTERM')
        const timer = setTimeout(() => core.child.kill('SIGKILL'), 10_000)
        code = await done
        clearTimeout(timer)
        await assertTreeGone(tree, 'the stopped core')
      }
      if (!cleaned) {
        cleaned = true
        database.close()
        rmSync(dataDir, { recursive: true, force: true })
      }
      return code
    },
  }
  await waitUntilUp(core)
  return core
}

/** Waits for the core to answer OPTIONS and its /health to say ok (every worker up); on failure stops it and throws with its output. */
async function waitUntilUp(core: CoreProcess): Promise<void> {
  try {
    const died = (): boolean => core.child.exitCode !== null || core.child.signalCode !== null
    // Every process of the node loads its modules through tsx: four workers at load 10+ took over 20 s to answer.
    await waitForOptions(core.sipPort, 40_000, died)
    const deadline = Date.now() + 20_000
    for (;;) {
      if (died()) throw new Error('core exited')
      const ok = await fetch(`http://127.0.0.1:${core.statusPort}/health`).then((r) => r.ok, () => false)
      if (ok) break
      if (Date.now() > deadline) throw new Error('/health did not say ok')
      await new Promise((r) => setTimeout(r, 50))
    }
  } catch (err) {
    const out = core.output()
    await core.stop()
    throw new Error(`core did not come up: ${String(err)}\n${out}`, { cause: err })
  }
}

/** GET /health of a running core. */
export async function health(core: CoreProcess): Promise<{ ok: boolean; transactions: number; configVersion: number; uptimeSec: number }> {
  const res = await fetch(`http://127.0.0.1:${core.statusPort}/health`)
  return (await res.json()) as { ok: boolean; transactions: number; configVersion: number; uptimeSec: number }
}

/** Value of one series from GET /metrics (`name{labels}` exactly as rendered), 0 when absent. */
export async function metric(core: CoreProcess, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${core.statusPort}/metrics`)).text()
  for (const line of text.split('\n')) if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1))
  return 0
}

/** Polls `probe` every 100 ms until it returns true or `timeoutMs` passes; returns the last result. */
export async function waitFor(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await probe()) return true
    if (Date.now() > deadline) return false
    await new Promise((ok) => setTimeout(ok, 100))
  }
}

/** Sends OPTIONS to 127.0.0.1:port every 200 ms until any response arrives or the deadline passes. */
export async function waitForOptions(port: number, timeoutMs: number, died: () => boolean): Promise<void> {
  const sock = createSocket('udp4')
  await new Promise<void>((ok) => sock.bind(0, '127.0.0.1', () => ok()))
  const local = sock.address().port
  let timer: NodeJS.Timeout | undefined
  try {
    await new Promise<void>((ok, fail) => {
      const deadline = Date.now() + timeoutMs
      sock.on('message', () => ok())
      const tick = (): void => {
        if (died()) return fail(new Error('core exited'))
        if (Date.now() > deadline) return fail(new Error('no answer to OPTIONS'))
        const branch = `z9hG4bK-probe-${Date.now()}`
        const msg =
          `OPTIONS sip:127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${local};branch=${branch};rport\r\n` +
          `Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=probe\r\nTo: <sip:127.0.0.1:${port}>\r\n` +
          `Call-ID: ${branch}@probe\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`
        sock.send(msg, port, '127.0.0.1')
        timer = setTimeout(tick, 200)
      }
      tick()
    })
  } finally {
    clearTimeout(timer)
    sock.close()
  }
}

/** The Node edge started for a test on a core's database: its origin, its output, and a stop that proves it gone. */
export interface EdgeProcess {
  origin: string
  child: ChildProcess
  output: () => string
  /** SIGTERM, waits for the exit and checks the process is gone. */
  stop: () => Promise<void>
}

/** Starts `edge/node/main.ts` on a free port over `databaseUrl` with `adminKey` as its admin API key; resolves once /health answers. */
export async function startEdge(databaseUrl: string, adminKey: string, dataDir: string): Promise<EdgeProcess> {
  const apiPort = await freeTcpPort()
  const origin = `http://127.0.0.1:${apiPort}`
  let out = ''
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'edge/node/main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, API_PORT: String(apiPort), DATABASE_URL: databaseUrl, DATA_DIR: dataDir, ADMIN_API_KEY: adminKey, ALERT_INTERVAL_MS: '3600000', METRICS_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { out += d.toString() })
  const edge: EdgeProcess = {
    origin, child, output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const gone = new Promise((ok) => child.once('exit', ok))
      child.kill('SIGTERM')
      await gone
      assertGone(child.pid, 'the edge')
    },
  }
  const up = await waitFor(async () => (await fetch(`${origin}/health`).catch(() => null))?.ok === true, 30_000)
  if (!up) {
    await edge.stop()
    throw new Error(`edge did not start:\n${out}`)
  }
  return edge
}

/** What one SIPp run reported. */
export interface SippResult {
  exitCode: number | null
  successful: number
  failed: number
  retransmissions: number
  stdout: string
  stderr: string
  /** SIPp's message trace (`-trace_msg`) and error log (`-trace_err`), when `trace` was on. */
  messages: string
  errors: string
}

/** Options for one bounded SIPp run (customer when `target` is set, vendor when it is not). */
export interface SippRun {
  scenario: string
  /** host:port to call; omit for a vendor (UAS) waiting on `localPort`. */
  target?: string
  calls: number
  rate?: number
  ratePeriodMs?: number
  /** Concurrent call cap (`-l`). */
  limit?: number
  lostPercent?: number
  extraArgs?: string[]
  timeoutSec?: number
  localIp?: string
  localPort?: number
  /** Called number (`-s`, the scenario's `[service]`). */
  service?: string
  /** Calling number (the scenario's `[caller]`). */
  caller?: string
  /** Call hold time for the scenario's `<pause/>` (`-d`). */
  durationMs?: number
  /** Digest credentials for `[authentication]` (`-au`, `-ap`). */
  auth?: { username: string; password: string }
  /** Keep SIPp's message and error traces (`-trace_msg`, `-trace_err`) for failure messages (default false). */
  trace?: boolean
  /** SIP over UDP (default) or TCP with one connection (`-t t1`). */
  transport?: 'udp' | 'tcp'
}

/** A SIPp process running in the background. */
export interface SippProcess {
  pid: number | undefined
  /** The UDP port SIPp sends from and listens on (undefined only when SIPp chose it). */
  localPort: number | undefined
  /** Resolves when SIPp exits by itself (its `-m` calls are done or its `-timeout` passed). */
  done: () => Promise<SippResult>
  /** Ends SIPp now if it is still running and returns what it reported. */
  stop: () => Promise<SippResult>
}

/** Starts a bounded SIPp (`-m`, `-timeout`, plus a hard kill 15 s later) without waiting for it; a customer gets a free local port (SIPp would try 5060 first). */
export async function startSipp(run: SippRun): Promise<SippProcess> {
  const localPort = run.localPort ?? (run.target === undefined ? undefined : await freeUdpPort())
  const dir = mkdtempSync(join(tmpdir(), 'softswitch-sipp-'))
  const statFile = join(dir, 'stat.csv')
  const messageFile = join(dir, 'messages.log')
  const errorFile = join(dir, 'errors.log')
  const scenario = run.scenario.endsWith('.xml') ? join(scenarioDir, run.scenario) : run.scenario
  const trace = run.trace ?? false
  const args = [
    ...(run.target ? [run.target] : []),
    ...(run.scenario.endsWith('.xml') ? ['-sf', scenario] : ['-sn', scenario]),
    '-i', run.localIp ?? '127.0.0.1',
    ...(localPort === undefined ? [] : ['-p', String(localPort)]),
    '-m', String(run.calls),
    '-r', String(run.rate ?? 10),
    '-rp', String(run.ratePeriodMs ?? 1000),
    ...(run.limit === undefined ? [] : ['-l', String(run.limit)]),
    '-timeout', `${run.timeoutSec ?? 60}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_stat', '-stf', statFile, '-fd', '1',
    '-key', 'caller', run.caller ?? '1000',
    ...(run.service === undefined ? [] : ['-s', run.service]),
    ...(run.durationMs === undefined ? [] : ['-d', String(run.durationMs)]),
    ...(run.auth ? ['-au', run.auth.username, '-ap', run.auth.password] : []),
    // RFC 7616 §3.4: the digest-uri is the Request-URI (SIPp defaults to remote_ip:remote_port without the user)
    ...(run.auth && run.target && run.service ? ['-auth_uri', `${run.service}@${run.target}`] : []),
    ...(trace ? ['-trace_msg', '-message_file', messageFile, '-trace_err', '-error_file', errorFile] : []),
    ...(run.lostPercent ? ['-lost', String(run.lostPercent)] : []),
    ...(run.transport === 'tcp' ? ['-t', 't1'] : []),
    ...(run.extraArgs ?? []),
  ]
  let stdout = ''
  let stderr = ''
  const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const killer = setTimeout(() => child.kill('SIGKILL'), ((run.timeoutSec ?? 60) + 15) * 1000)
  const exit = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)))
  let result: Promise<SippResult> | null = null
  const finish = (): Promise<SippResult> => {
    result ??= exit.then((exitCode) => {
      clearTimeout(killer)
      const stats = readLastStat(statFile)
      const read = (f: string): string => { try { return readFileSync(f, 'utf8') } catch { return '' } }
      const messages = read(messageFile)
      const errors = read(errorFile)
      rmSync(dir, { recursive: true, force: true })
      return { exitCode, ...stats, stdout, stderr, messages, errors }
    })
    return result
  }
  return {
    pid: child.pid,
    localPort,
    done: finish,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGUSR1') // SIPp: quit after writing stats
      const t = setTimeout(() => child.kill('SIGKILL'), 3000)
      const r = await finish()
      clearTimeout(t)
      assertGone(child.pid, 'SIPp')
      return r
    },
  }
}

/** Runs SIPp in the foreground (always bounded) and returns its final statistics. */
export async function runSipp(run: SippRun): Promise<SippResult> {
  return (await startSipp(run)).done()
}

/** Starts a SIPp vendor (UAS) on 127.0.0.1:`port` that handles `calls` calls (default 1) and then exits. */
export async function startSippUas(run: Omit<SippRun, 'target' | 'localPort' | 'calls'> & { port: number; calls?: number }): Promise<SippProcess> {
  const { port, calls, ...rest } = run
  const uas = await startSipp({ ...rest, localPort: port, calls: calls ?? 1 })
  await waitUntilBound(port, 5_000, run.transport ?? 'udp')
  return uas
}

/** Resolves once a socket is bound to UDP `port` or listens on TCP `port` (read from /proc/net, so probing never races SIPp's own bind). */
async function waitUntilBound(port: number, timeoutMs: number, transport: 'udp' | 'tcp' = 'udp'): Promise<void> {
  const hex = ':' + port.toString(16).toUpperCase().padStart(4, '0')
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const table = readFileSync(`/proc/net/${transport}`, 'utf8')
    // TCP: state 0A is LISTEN.
    if (table.split('\n').some((line) => {
      const f = line.trim().split(/\s+/)
      return f[1]?.endsWith(hex) === true && (transport === 'udp' || f[3] === '0A')
    })) return
    await new Promise((ok) => setTimeout(ok, 20))
  }
  throw new Error(`nothing bound ${transport.toUpperCase()} port ${port} within ${timeoutMs} ms (SIPp vendor did not start)`)
}

/** A compact account of a SIPp run for assertion messages: exit code, counters, errors and the message trace tail. */
export function describeSipp(name: string, r: SippResult): string {
  const tail = r.messages.length > 6000 ? '...' + r.messages.slice(-6000) : r.messages
  return `${name}: exit ${r.exitCode}, successful ${r.successful}, failed ${r.failed}\n${r.errors.trim()}\n${r.stderr.trim()}\n--- messages ---\n${tail}`
}

/** Reads the cumulative counters from the last row of a SIPp `-trace_stat` CSV file. */
function readLastStat(file: string): { successful: number; failed: number; retransmissions: number } {
  let text = ''
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return { successful: 0, failed: 0, retransmissions: 0 }
  }
  const lines = text.trim().split('\n')
  const head = lines[0]?.split(';') ?? []
  const last = lines[lines.length - 1]?.split(';') ?? []
  const col = (name: string): number => {
    const i = head.indexOf(name)
    return i < 0 ? 0 : Number(last[i] ?? 0)
  }
  return {
    successful: col('SuccessfulCall(C)'),
    failed: col('FailedCall(C)'),
    retransmissions: col('Retransmissions(C)'),
  }
}
