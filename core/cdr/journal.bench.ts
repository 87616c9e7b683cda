// CDR pipeline benchmark (`npx tsx core/cdr/journal.bench.ts`): CDRs/s fsync'd into the journal; CDRs/s and CPU per CDR written to a libSQL file holding a production-sized table.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { applyMigrations, openDatabase } from '../../shared/db/node/database.js'
import { SystemClock } from '../lib/clock.js'
import { silentLogger } from '../lib/log.js'
import { CdrJournal } from './journal.js'
import { clientCdrInsert, openCdrInsert } from './cdr-insert.js'
import { CdrWriter } from './writer.js'
import { realisticCdr, sampleCdr, seededRandom } from './test-support/records.js'
import { cdrs } from '../../shared/db/schema.js'
import { cdrToRow } from '../../shared/entities/cdr.js'
import { jsonRowsInsert } from '../../shared/db/node/json-rows.js'

const prefillInsert = jsonRowsInsert(cdrs, '')
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

  // Drain realistic CDRs into a libSQL file that already holds a production-sized table: an insert's cost is mostly
  // its index entries, and random callers and callees land on random pages of a large index, not on one hot page.
  const random = seededRandom(19)
  const database = openDatabase({ url: pathToFileURL(join(dir, 'bench.db')).href })
  await applyMigrations(database.db)
  const prefill = Number(process.env.CDR_BENCH_ROWS ?? 300_000)
  const startMs = 1_760_000_000_000
  for (let i = 0; i < prefill; i += 5000) {
    const rows = Array.from({ length: Math.min(5000, prefill - i) }, (_, j) => cdrToRow(realisticCdr(random, startMs + (i + j) * 20)) as Record<string, unknown>)
    await database.db.run(prefillInsert(rows))
  }
  const mode = (await database.client.execute('pragma journal_mode')).rows[0]?.[0]
  // CDR_BENCH_CLIENT=1 writes through the libSQL client, as for a replica or a server.
  const insert = process.env.CDR_BENCH_CLIENT === '1' ? clientCdrInsert(database.client, database.writerPragmas) : openCdrInsert(database)
  // 1,000 rows is the writer's largest batch (what one writer drains each second at 1,000 calls/s); 200 shows what a
  // commit costs when its fixed part is shared by fewer rows.
  for (const batchSize of [200, 1000]) {
    const journal = await CdrJournal.open({ dir: join(dir, `journal-writer-${batchSize}`), log: silentLogger })
    const n = 20_000
    let next = 0
    const at = startMs + prefill * 20 + batchSize * 1_000_000
    await Promise.all(Array.from({ length: 1000 }, async () => {
      while (next < n) { const i = next++; await journal.append(realisticCdr(random, at + i * 20)) }
    }))
    const writer = new CdrWriter({ journal, db: database.db, clock: new SystemClock(), log: silentLogger, batchSize, insert })
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    const main0 = process.threadCpuUsage()
    let written = 0
    for (;;) {
      const r = await writer.drainOnce()
      if (r.kind !== 'written') break
      written += r.records
    }
    const sec = (performance.now() - t0) / 1000
    const cpu = process.cpuUsage(cpu0)
    const main = process.threadCpuUsage(main0)
    // CPU per record (user + system, every thread; and the main thread's, the event loop's share): load from other processes moves wall time, much less this.
    const per = (us: number): number => Math.round((us / Math.max(1, written)) * 10) / 10
    console.log(JSON.stringify({ name: `cdr writer to libSQL file (${String(mode)}, ${prefill} rows before), batch ${batchSize}`, opsPerSec: Math.round(written / sec), records: written, cpuUsPerRecord: per(cpu.user + cpu.system), systemUsPerRecord: per(cpu.system), mainThreadUsPerRecord: per(main.user + main.system) }))
    await journal.close()
  }
  insert.close()
  database.close()
} finally {
  await rm(dir, { recursive: true, force: true })
}
