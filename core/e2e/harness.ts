// Drives system tests: starts the core as a real child process and runs SIPp scenarios against it over loopback UDP.
import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { configVersion, CONFIG_VERSION_ROW_ID, systemParameters } from '../../shared/db/schema.js'
import type { ParamName } from '../../shared/params/system-params.js'
import { applyMigrations, openDatabase } from '../db/client.js'

/** Repository root, resolved from this file. */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..')
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

/** Writes system parameters into a (new) database the way the edge does: migrated tables, one row each, config version bumped. */
export async function writeParams(databaseUrl: string, params: Partial<Record<ParamName, unknown>>): Promise<void> {
  const database = openDatabase({ url: databaseUrl })
  try {
    await applyMigrations(database.db)
    const now = Date.now()
    for (const [name, value] of Object.entries(params)) {
      await database.db.insert(systemParameters).values({ name, value, updatedAtMs: now })
        .onConflictDoUpdate({ target: systemParameters.name, set: { value, updatedAtMs: now } })
    }
    const row = await database.db.select().from(configVersion)
    const version = (row[0]?.version ?? 0) + 1
    await database.db.insert(configVersion).values({ id: CONFIG_VERSION_ROW_ID, version, updatedAtMs: now })
      .onConflictDoUpdate({ target: configVersion.id, set: { version, updatedAtMs: now } })
  } finally {
    database.close()
  }
}

/** Options for startCore beyond the environment. */
export interface StartCoreOptions {
  /** System parameters written to the database before the core starts (e.g. small SS_SIP_T1_MS / SS_SIP_T4_MS). */
  params?: Partial<Record<ParamName, unknown>>
}

/** A core process started for a test, with what is needed to reach and stop it. */
export interface CoreProcess {
  sipPort: number
  statusPort: number
  dataDir: string
  databaseUrl: string
  child: ChildProcess
  output: () => string
  stop: () => Promise<number | null>
}

/** Starts `core/main.ts` on free ports with a temp data dir; resolves once it answers OPTIONS. */
export async function startCore(env: Record<string, string> = {}, opts: StartCoreOptions = {}): Promise<CoreProcess> {
  const sipPort = await freeUdpPort()
  const statusPort = await freeTcpPort()
  const dataDir = mkdtempSync(join(tmpdir(), 'softswitch-e2e-'))
  const databaseUrl = `file:${join(dataDir, 'softswitch.db')}`
  if (opts.params !== undefined) await writeParams(databaseUrl, opts.params)
  const tsx = join(repoRoot, 'node_modules/.bin/tsx')
  let out = ''
  const child = spawn(tsx, [join(repoRoot, 'core/main.ts')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      SIP_HOST: '127.0.0.1',
      SIP_PORT: String(sipPort),
      STATUS_PORT: String(statusPort),
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { out += d.toString() })
  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null) return child.exitCode
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    const code = await exited
    clearTimeout(timer)
    rmSync(dataDir, { recursive: true, force: true })
    return code
  }
  const core: CoreProcess = { sipPort, statusPort, dataDir, databaseUrl, child, output: () => out, stop }
  try {
    await waitForOptions(sipPort, 20_000, () => child.exitCode !== null)
  } catch (err) {
    await stop()
    throw new Error(`core did not come up: ${String(err)}\n${out}`, { cause: err })
  }
  return core
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
async function waitForOptions(port: number, timeoutMs: number, died: () => boolean): Promise<void> {
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

/** What one SIPp run reported. */
export interface SippResult {
  exitCode: number | null
  successful: number
  failed: number
  retransmissions: number
  stdout: string
  stderr: string
}

/** Options for one bounded SIPp run. */
export interface SippRun {
  scenario: string
  /** host:port to call; omit for a UAS scenario, which waits for requests on `localPort`. */
  target?: string
  calls: number
  rate?: number
  ratePeriodMs?: number
  lostPercent?: number
  extraArgs?: string[]
  timeoutSec?: number
  localPort?: number
}

/** Runs SIPp with `-m calls` and a global timeout (always bounded) and returns its final statistics. */
export async function runSipp(run: SippRun): Promise<SippResult> {
  const statDir = mkdtempSync(join(tmpdir(), 'softswitch-sipp-'))
  const statFile = join(statDir, 'stat.csv')
  const scenario = run.scenario.endsWith('.xml') ? join(scenarioDir, run.scenario) : run.scenario
  const args = [
    ...(run.target === undefined ? [] : [run.target]),
    ...(run.scenario.endsWith('.xml') ? ['-sf', scenario] : ['-sn', scenario]),
    '-i', '127.0.0.1',
    '-p', String(run.localPort ?? 0),
    '-m', String(run.calls),
    '-r', String(run.rate ?? 10),
    '-rp', String(run.ratePeriodMs ?? 1000),
    '-timeout', `${run.timeoutSec ?? 60}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_stat', '-stf', statFile, '-fd', '1',
    ...(run.lostPercent ? ['-lost', String(run.lostPercent)] : []),
    ...(run.extraArgs ?? []),
  ]
  if (run.localPort === undefined) args.splice(args.indexOf('-p'), 2)
  let stdout = ''
  let stderr = ''
  const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const hardLimitMs = ((run.timeoutSec ?? 60) + 15) * 1000
  const killer = setTimeout(() => child.kill('SIGKILL'), hardLimitMs)
  const exitCode = await new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)))
  clearTimeout(killer)
  const stats = readLastStat(statFile)
  rmSync(statDir, { recursive: true, force: true })
  return { exitCode, ...stats, stdout, stderr }
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
