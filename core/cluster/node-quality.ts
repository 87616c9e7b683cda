// Quality routing on a node of several workers: every worker's window holds the calls all workers finished, so a vendor is judged on the node's calls, not on the share of them its Call-IDs hashed to one worker.
import { RollingQuality, type QualityCdr, type QualityParams } from '../../shared/routing/quality.js'

/** One routing attempt as it crosses the IPC channel: `[gatewayId, matchedPrefix, sipCode (-1 none), pddMs (-1 none)]`. */
export type QualityAttemptRow = [string, string, number, number]

/** One finished call as it crosses the IPC channel: `[endedAtMs, answeredAtMs (-1 none), durationSec, attempts]`. */
export type QualityRow = [number, number, number, QualityAttemptRow[]]

/** How long a worker gathers its finished calls before it tells the others (one notice per span, not per call). */
export const QUALITY_SHARE_MS = 100

/**
 * The worker's rolling quality: its own finished calls count at once and are passed on to the other workers in one
 * notice per QUALITY_SHARE_MS; theirs arrive the same way. Only attempts quality counts (those with a matched prefix)
 * travel, and nothing does while quality routing is off. A call another worker finished counts up to one span late,
 * so two workers may order calls ending within the same span differently: a window differs by at most those calls.
 */
export class NodeQuality extends RollingQuality {
  private pending: QualityRow[] = []
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly params: () => Pick<QualityParams, 'SS_ROUTE_QUALITY_WINDOW_CALLS' | 'SS_ROUTE_QUALITY_WINDOW_MINUTES'> & { SS_GATEWAY_ASR_ROUTE_SORT_CONFIG: string },
    private readonly send: (rows: QualityRow[]) => void,
  ) {
    super(params)
  }

  /** Feeds a call this worker finished, and queues it for the other workers. */
  override record(cdr: QualityCdr): void {
    super.record(cdr)
    if (this.params().SS_GATEWAY_ASR_ROUTE_SORT_CONFIG === 'off') return
    const attempts: QualityAttemptRow[] = []
    for (const a of cdr.attempts) {
      if (a.matchedPrefix !== undefined) attempts.push([a.routingGatewayId, a.matchedPrefix, a.sipCode ?? -1, a.pddMs ?? -1])
    }
    if (attempts.length === 0) return
    this.pending.push([cdr.endedAtMs, cdr.answeredAtMs ?? -1, cdr.durationSec, attempts])
    if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), QUALITY_SHARE_MS)
      this.timer.unref()
    }
  }

  /** Feeds calls another worker finished. */
  recordShared(rows: readonly QualityRow[]): void {
    for (const [endedAtMs, answeredAtMs, durationSec, attempts] of rows) {
      super.record({
        endedAtMs, answeredAtMs: answeredAtMs < 0 ? null : answeredAtMs, durationSec,
        attempts: attempts.map(([routingGatewayId, matchedPrefix, sipCode, pddMs]) => ({ routingGatewayId, matchedPrefix, sipCode: sipCode < 0 ? null : sipCode, pddMs: pddMs < 0 ? null : pddMs })),
      })
    }
  }

  /** Sends what is queued now instead of at the end of the span. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    if (this.pending.length === 0) return
    const rows = this.pending
    this.pending = []
    this.send(rows)
  }
}
