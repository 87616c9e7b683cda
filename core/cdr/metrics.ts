// The CDR path on /metrics: what the journal holds that the database does not (records, bytes, age of the oldest), writer failures, and what the last start replayed.
import type { Metrics } from '../lib/metrics.js'
import type { CdrSink } from './sink.js'

/** What the CDR gauges read: one sink with its writer, or the primary's collector over every worker's journal. */
export interface CdrStats {
  readonly backlogRecords: number
  readonly backlogBytes: number
  /** When the oldest record not yet in the database was journaled (epoch ms), or null. */
  readonly oldestBacklogAtMs: number | null
  readonly written: number
  readonly failedDrains: number
  readonly consecutiveFailures: number
  readonly replayedAtOpen: number
  readonly recoveredCalls: number
}

/** The stats of one sink and its writer (a single-process node). */
export function sinkStats(sink: CdrSink): CdrStats {
  const { journal, writer } = sink
  return {
    get backlogRecords() { return journal.backlogRecords },
    get backlogBytes() { return journal.backlogBytes },
    get oldestBacklogAtMs() { return journal.oldestBacklogAtMs },
    get written() { return writer?.written ?? 0 },
    get failedDrains() { return writer?.failedDrains ?? 0 },
    get consecutiveFailures() { return writer?.consecutiveFailures ?? 0 },
    get replayedAtOpen() { return journal.replayedAtOpen },
    get recoveredCalls() { return sink.recoveredCalls },
  }
}

/** Registers the CDR gauges and counters; values are read at scrape time (nothing on the call path). */
export function registerCdrMetrics(metrics: Metrics, stats: CdrStats, nowMs: () => number): void {
  metrics.gauge('cdr_journal_backlog_records', 'CDRs journaled on disk and not yet in the database', [], () => stats.backlogRecords)
  metrics.gauge('cdr_journal_backlog_bytes', 'Bytes of the CDRs journaled and not yet in the database', [], () => stats.backlogBytes)
  metrics.gauge('cdr_journal_oldest_unwritten_age_seconds', 'Age of the oldest CDR not yet in the database (0 when there is none)', [], () => {
    const at = stats.oldestBacklogAtMs
    return at === null ? 0 : Math.max(0, nowMs() - at) / 1000
  })
  metrics.counter('cdr_written_total', 'CDRs the writer inserted into the database', [], () => stats.written)
  metrics.counter('cdr_writer_failures_total', 'Writer passes that failed (database unreachable or refusing); records stay in the journal', [], () => stats.failedDrains)
  metrics.gauge('cdr_writer_consecutive_failures', 'Failed writer passes in a row (0 while the database takes CDRs)', [], () => stats.consecutiveFailures)
  metrics.gauge('cdr_replayed_at_start_records', 'CDRs the journal held unwritten when this process started, replayed into the database', [], () => stats.replayedAtOpen)
  metrics.gauge('cdr_recovered_calls_at_start', 'Calls open when the previous process died, closed as SystemShutdown CDRs at this start', [], () => stats.recoveredCalls)
}
