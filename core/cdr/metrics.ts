// The CDR path on /metrics: what the journal holds that the database does not (records, bytes, age of the oldest), writer failures, and what the last start replayed.
import type { Metrics } from '../lib/metrics.js'
import type { CdrSink } from './sink.js'

/** Registers the CDR gauges and counters; values are read from the sink at scrape time (nothing on the call path). */
export function registerCdrMetrics(metrics: Metrics, sink: CdrSink, nowMs: () => number): void {
  const { journal, writer } = sink
  metrics.gauge('cdr_journal_backlog_records', 'CDRs journaled on disk and not yet in the database', [], () => journal.backlogRecords)
  metrics.gauge('cdr_journal_backlog_bytes', 'Bytes of the CDRs journaled and not yet in the database', [], () => journal.backlogBytes)
  metrics.gauge('cdr_journal_oldest_unwritten_age_seconds', 'Age of the oldest CDR not yet in the database (0 when there is none)', [], () => {
    const at = journal.oldestBacklogAtMs
    return at === null ? 0 : Math.max(0, nowMs() - at) / 1000
  })
  metrics.counter('cdr_written_total', 'CDRs the writer inserted into the database', [], () => writer.written)
  metrics.counter('cdr_writer_failures_total', 'Writer passes that failed (database unreachable or refusing); records stay in the journal', [], () => writer.failedDrains)
  metrics.gauge('cdr_writer_consecutive_failures', 'Failed writer passes in a row (0 while the database takes CDRs)', [], () => writer.consecutiveFailures)
  metrics.gauge('cdr_replayed_at_start_records', 'CDRs the journal held unwritten when this process started, replayed into the database', [], () => journal.replayedAtOpen)
  metrics.gauge('cdr_recovered_calls_at_start', 'Calls open when the previous process died, closed as SystemShutdown CDRs at this start', [], () => sink.recoveredCalls)
}
