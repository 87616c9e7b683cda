// Test fixture run as a child process: journals CDRs (some committed to the db, some only in the open-calls journal's close lines) and open calls, then waits to be SIGKILLed.
import { pathToFileURL } from 'node:url'
import { openDatabase } from '../../../shared/db/node/database.js'
import { SystemClock } from '../../lib/clock.js'
import { silentLogger } from '../../lib/log.js'
import { openCdrInsert } from '../cdr-insert.js'
import { CdrSink } from '../sink.js'
import { sampleCall, sampleCdr } from './records.js'

const [dataDir, dbFile] = process.argv.slice(2)
if (dataDir === undefined || dbFile === undefined) throw new Error('usage: crash-writer.ts <dataDir> <dbFile>')

const database = openDatabase({ url: pathToFileURL(dbFile).href })
const clock = new SystemClock()
// The CDR segment commits once an hour at most: the CDRs after the first forced commit are durable only in the close
// lines of the open-calls journal when the kill comes.
const sink = await CdrSink.open({ dataDir, db: database.db, clock, log: silentLogger, segmentCommitWindowMs: 3_600_000, writer: { intervalMs: 3_600_000, insert: openCdrInsert(database) } })

const committed = Array.from({ length: 5 }, () => sampleCdr())
await Promise.all(committed.map((r) => sink.onCallEnded(r)))
await sink.journal.flush()
if (!(await sink.writer!.flush(clock.now() + 10_000))) throw new Error('could not commit the first records')

const uncommitted = Array.from({ length: 5 }, () => sampleCdr())
await Promise.all(uncommitted.map((r) => sink.onCallEnded(r)))

const answered = sampleCall()
const ringing = sampleCall()
const finished = sampleCall()
await Promise.all([sink.onCallStarted(answered), sink.onCallStarted(ringing), sink.onCallStarted(finished)])
await sink.onCallAnswered(answered.id, { answeredAtMs: answered.startedAtMs + 3000, routingGatewayId: 'rg1', calleeOut: '3315550000', pddMs: 900 })
const finishedCdr = sampleCdr({ id: finished.id })
await sink.onCallEnded(finishedCdr)
uncommitted.push(finishedCdr)

process.stdout.write(JSON.stringify({
  pid: process.pid,
  committed: committed.map((r) => r.id),
  uncommitted: uncommitted.map((r) => r.id),
  answered: answered.id,
  ringing: ringing.id,
}) + '\n')
setInterval(() => {}, 60_000) // stay up until the parent kills us
