// CDR pipeline benchmark (`npx tsx core/cdr/journal.bench.ts`): CDRs/s fsync'd into the journal and CDRs/s written to a libSQL file.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { applyMigrations, openDatabase } from '../../shared/db/node/database.js'
import { SystemClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { CdrJournal } from './journal.js'
import { CdrWriter } from './writer.js'
import { sampleCdr } from './test-support/records.js'

const dir = await mkdtemp(join(tmpdir(), 'softswitch-cdr-bench-'))
try {
  const records = Array.from({ length: 50_000 }, () => sampleCdr())

  // Concurrent appends, as many calls ending at once: group commit shares each fsync.
  for (const concurrency of [1, 100, 1000]) {
    const journal = await CdrJournal.open({ dir: join(dir, `journal-${concurrency}`), log: silentLogger })
    const n = concurrency === 1 ? 500 : records.length
    let next = 0
    const t0 = performance.now()
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < n) await journal.append(records[next++]!)
    }))
    const sec = (performance.now() - t0) / 1000
    console.log(JSON.stringify({ name: `cdr journal append+fsync, ${concurrency} concurrent`, opsPerSec: Math.round(n / sec), records: n, fsyncs: journal.stats.syncs }))
    await journal.close()
  }

  // Drain the 1000-concurrency journal into a migrated libSQL file in batches.
  const database = openDatabase({ url: pathToFileURL(join(dir, 'bench.db')).href })
  await applyMigrations(database.db)
  const journal = await CdrJournal.open({ dir: join(dir, 'journal-1000'), log: silentLogger })
  for (const batchSize of [500]) {
    const writer = new CdrWriter({ journal, db: database.db, clock: new SystemClock(), log: silentLogger, batchSize })
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    let written = 0
    for (;;) {
      const r = await writer.drainOnce()
      if (r.kind !== 'written') break
      written += r.records
    }
    const sec = (performance.now() - t0) / 1000
    const cpu = process.cpuUsage(cpu0)
    // CPU per record (user + system, every thread): load from other processes moves wall time, much less this.
    const cpuUsPerRecord = Math.round(((cpu.user + cpu.system) / Math.max(1, written)) * 10) / 10
    console.log(JSON.stringify({ name: `cdr writer to libSQL file, batch ${batchSize}`, opsPerSec: Math.round(written / sec), records: written, cpuUsPerRecord }))
  }
  await journal.close()
  database.close()
} finally {
  await rm(dir, { recursive: true, force: true })
}
