// Covers crash safety of the CDR sink: the process writing the journal is SIGKILLed mid-run (and proven gone), and the next start replays and closes its calls.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cdrs } from '../../shared/db/schema.js'
import { applyMigrations, openDatabase, type Database } from '../../shared/db/node/database.js'
import { ManualClock } from '../lib/clock.js'
import { createLogger } from '../lib/log.js'
import { processExists } from '../../shared/db/node/test-support/process-gone.js'
import { CdrJournal } from './journal.js'
import { CdrSink } from './sink.js'
import { sampleCall, sampleCdr } from './test-support/records.js'
import type { CdrRecord } from './record.js'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const FIXTURE = fileURLToPath(new URL('./test-support/crash-writer.ts', import.meta.url))

interface CrashReport {
  /** The writer's own process id, as it reported it. */
  pid: number
  committed: string[]
  uncommitted: string[]
  answered: string
  ringing: string
}

/**
 * Runs the fixture until it reports, then kills it with SIGKILL (no chance to flush or clean up). The fixture runs in
 * node itself with tsx as a loader, not under a wrapper (npx, the tsx CLI) that would take the signal and leave the
 * writer running; `childPid` is checked against the pid the writer reports.
 */
async function runAndKill(dataDir: string, dbFile: string): Promise<CrashReport & { childPid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir, dbFile], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr.on('data', (c: Buffer) => { err += c.toString() })
  const exited = once(child, 'exit')
  const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000)
  try {
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString()
        const nl = out.indexOf('\n')
        if (nl >= 0) resolve(out.slice(0, nl))
      })
      child.on('exit', (code) => reject(new Error(`fixture exited (${code}) before reporting: ${err}`)))
    })
    return { ...(JSON.parse(line) as CrashReport), childPid: child.pid! }
  } finally {
    clearTimeout(timeout)
    child.kill('SIGKILL')
    await exited
  }
}

describe('CdrSink after a kill -9', () => {
  let dir: string
  let database: Database
  let report: CrashReport & { childPid: number }
  let replayed: string[]
  let rows: Map<string, CdrRecord>

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'softswitch-cdr-crash-'))
    const dbFile = join(dir, 'core.db')
    database = openDatabase({ url: pathToFileURL(dbFile).href })
    await applyMigrations(database.db)
    // The customer the sample CDRs charge: its balance proves each CDR charged once, however often it is journaled.
    await database.client.execute({ sql: `insert into accounts (id, name, type, status, balance, overdraft_limit, max_call_duration_sec, created_at_ms, updated_at_ms) values ('acc1', 'acme', 'prepaid', 'normal', 10, 0, 0, 1, 1)`, args: [] })
    report = await runAndKill(dir, dbFile)

    const log = createLogger({ sink: () => {} })
    const journal = await CdrJournal.open({ dir: join(dir, 'cdr-journal'), log })
    replayed = []
    for await (const r of journal.replay()) replayed.push(r.id)
    await journal.close()

    const clock = new ManualClock(Date.now())
    const sink = await CdrSink.open({ dataDir: dir, db: database.db, clock, log })
    expect(await sink.close(clock.now() + 10_000)).toEqual({ drained: true, openCalls: 0 })
    rows = new Map((await database.db.select().from(cdrs)).map((r) => [r.id, r as CdrRecord]))
  }, 60_000)

  afterAll(async () => {
    database.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('kills the process that wrote the journal, and it is gone', () => {
    expect(report.pid).toBe(report.childPid)
    expect(processExists(report.pid)).toBe(false)
  })

  it('writes the CDRs durable only in close lines after a crash, without duplicating or charging again committed ones', async () => {
    // The segment never committed them: the open-calls journal's close lines are their only record.
    expect(replayed).toEqual([])
    for (const id of [...report.committed, ...report.uncommitted]) expect(rows.has(id)).toBe(true)
    expect(rows.size).toBe(report.committed.length + report.uncommitted.length + 2)
    const charged = [...rows.values()].reduce((sum, r) => sum + (r.cost ?? 0), 0)
    expect(charged).toBeGreaterThan(1)
    const balance = await database.client.execute(`select balance from accounts where id = 'acc1'`)
    expect(Number(balance.rows[0]!['balance'])).toBeCloseTo(10 - charged, 6)
  })

  it('closes calls that were open at a crash as SystemShutdown', () => {
    const answered = rows.get(report.answered)
    const ringing = rows.get(report.ringing)
    expect(answered).toMatchObject({ terminationReason: 'SystemShutdown', endedBy: 'switch', sipCode: 200, routingGatewayId: 'rg1' })
    expect(answered!.endedAtMs).toBeGreaterThanOrEqual(answered!.answeredAtMs!)
    expect(answered!.durationSec).toBe(Math.ceil((answered!.endedAtMs - answered!.answeredAtMs!) / 1000))
    expect(ringing).toMatchObject({ terminationReason: 'SystemShutdown', answeredAtMs: null, durationSec: 0, sipCode: null })
  })

  it('does not close the same calls again at the next start', async () => {
    const clock = new ManualClock(Date.now())
    const sink = await CdrSink.open({ dataDir: dir, db: database.db, clock, log: createLogger({ sink: () => {} }) })
    expect(sink.openCalls.recovered).toEqual([])
    await sink.close(clock.now() + 10_000)
  })
})

describe('CdrSink', () => {
  it('keeps calls still open at close for the next start and drains every ended call', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'softswitch-cdr-sink-'))
    const database = openDatabase({ url: pathToFileURL(join(dir, 'core.db')).href })
    try {
      await applyMigrations(database.db)
      const clock = new ManualClock(1_700_000_000_000)
      const log = createLogger({ sink: () => {} })
      const sink = await CdrSink.open({ dataDir: dir, db: database.db, clock, log })
      const up = sampleCall()
      const done = sampleCall()
      await sink.onCallStarted(up)
      await sink.onCallStarted(done)
      await sink.record(sampleCdr({ id: done.id }))
      expect(await sink.close(clock.now() + 1000)).toEqual({ drained: true, openCalls: 1 })
      expect(await database.db.select().from(cdrs).where(eq(cdrs.id, done.id))).toHaveLength(1)

      const next = await CdrSink.open({ dataDir: dir, db: database.db, clock, log })
      await next.close(clock.now() + 1000)
      expect((await database.db.select().from(cdrs).where(eq(cdrs.id, up.id)))[0]?.terminationReason).toBe('SystemShutdown')
    } finally {
      database.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('checks the first CDR against the shared schema, then at most one a second', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'softswitch-cdr-sink-'))
    const clock = new ManualClock(1_700_000_000_000)
    const errors: string[] = []
    const log = createLogger({ sink: (line) => { if (line.includes('fails the shared schema')) errors.push((JSON.parse(line) as { id: string }).id) } })
    const sink = await CdrSink.open({ dataDir: dir, dir: join(dir, 'w0'), clock, log })
    try {
      const end = async (): Promise<string> => {
        const cdr = sampleCdr({ durationSec: -1 })
        await sink.onCallEnded(cdr)
        return cdr.id
      }
      const first = await end()
      await end()
      clock.advance(999)
      await end()
      clock.advance(1)
      const second = await end()
      await end()
      expect(errors).toEqual([first, second])
    } finally {
      await sink.close(clock.now() + 1000)
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('writes a CDR whose append was still in flight when close() began (a call ending as the drain finishes)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'softswitch-cdr-sink-'))
    const database = openDatabase({ url: pathToFileURL(join(dir, 'core.db')).href })
    try {
      await applyMigrations(database.db)
      const clock = new ManualClock(1_700_000_000_000)
      const sink = await CdrSink.open({ dataDir: dir, db: database.db, clock, log: createLogger({ sink: () => {} }) })
      const call = sampleCall()
      await sink.onCallStarted(call)
      const ended = sink.onCallEnded(sampleCdr({ id: call.id }))
      expect(await sink.close(clock.now() + 1000)).toEqual({ drained: true, openCalls: 0 })
      await ended
      expect(await database.db.select().from(cdrs).where(eq(cdrs.id, call.id))).toHaveLength(1)
    } finally {
      database.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
