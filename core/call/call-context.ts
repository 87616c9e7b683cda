// What every call of a node shares: the legs' context (layer, clock, our identity on the wire) plus the observer, counters, logger and CDR ids.
import type { Logger } from '../lib/log.js'
import type { MediaEnvironment } from '../media/media-session.js'
import type { CounterSeries, HistogramSeries, Metric } from '../lib/metrics.js'
import type { Transport, TransportProtocol } from '../transport/types.js'
import type { LegContext } from './legs/leg-context.js'
import type { CallObserver } from './ports.js'

/** Counters the calls update (cached series: no label lookups per call). */
export interface CallCounters {
  started: CounterSeries
  answered: CounterSeries
  /** By termination reason. */
  ended: Metric
  attempts: CounterSeries
  observerErrors: CounterSeries
  /** Call legs by side (caller, callee) and transport. */
  legs: Metric
  /** Post-dial delay of calls that got a ringing or progress answer, in seconds. */
  setup: HistogramSeries
  /** From a vendor's 200 to the answer on the journal's disk (the 200 to the caller waits for it), in seconds. */
  answerJournal: HistogramSeries
}

/** Built once by the B2BUA and handed to each call and leg. */
export interface CallContext extends LegContext {
  readonly log: Logger
  readonly observer: CallObserver
  readonly counters: CallCounters
  /** [Contact, Allow, Supported] as header pairs: every 2xx to a target-refresh request of either leg carries them (§12.2.2). */
  readonly dialogHeaders: ReadonlyArray<readonly [string, string]>
  /** The node's transport for `protocol`; undefined when it does not listen on it (TLS without a certificate). */
  transportFor(protocol: TransportProtocol): Transport | undefined
  readonly nodeId: string
  /**
   * Messages to the caller wait until the journal has the call's start (100 Trying on) and answer (the 200 on) on
   * disk; off only in call-layer unit tests, whose observer records synchronously.
   */
  readonly journalBarrier: boolean
  /** The RTP relay environment (port pool, addresses, prompt); absent or null: no call is relayed. */
  readonly media?: MediaEnvironment | null
  /** New CDR id (a ULID from the CDR module, injected by the composition root). */
  newCdrId(nowMs: number): string
  /** Logs a rejected observer promise (the sink journals; its failures must not touch the call). */
  readonly onObserverError: (err: unknown) => void
}
