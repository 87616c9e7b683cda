// One routing gateway's OPTIONS check state: hysteresis between online and offline, RTT of the last checks and loss over a window.

/** The outcome of one OPTIONS check: a final response (any status: the host answers) or none (Timer F, transport error). */
export type ProbeOutcome = { ok: true; rttMs: number; status: number } | { ok: false; why: 'timeout' | 'transport' }

/** What the status publisher and /health read for one gateway. */
export interface ProbeView {
  readonly online: boolean
  readonly lastCheckAtMs: number | null
  /** Round trip of the last answered check (ms, rounded). */
  readonly rttMs: number | null
  /** Share of the last `window` checks without an answer; null before the first check. */
  readonly lossRatio: number | null
  readonly lastCode: number | null
}

/** Hysteresis thresholds (SS_OPTIONS_FAILURES_TO_OFFLINE, SS_OPTIONS_SUCCESSES_TO_ONLINE). */
export interface Hysteresis {
  failuresToOffline: number
  successesToOnline: number
}

/** Checks kept for the loss ratio and RTT history. */
export const PROBE_WINDOW = 10

/** Mutable state of one gateway; starts online (a gateway is innocent until its checks fail). */
export class ProbeState implements ProbeView {
  online = true
  lastCheckAtMs: number | null = null
  rttMs: number | null = null
  lastCode: number | null = null
  private failures = 0
  private successes = 0
  /** Last checks, oldest first: RTT in ms, or null when unanswered. */
  private readonly history: Array<number | null> = []

  /** Share of unanswered checks in the window (null before the first). */
  get lossRatio(): number | null {
    if (this.history.length === 0) return null
    let lost = 0
    for (const h of this.history) if (h === null) lost++
    return lost / this.history.length
  }

  /** RTTs of the answered checks in the window, oldest first. */
  get recentRttMs(): number[] {
    return this.history.filter((h): h is number => h !== null)
  }

  /** Records one check; returns the new state when it changed, else null. */
  record(outcome: ProbeOutcome, atMs: number, h: Hysteresis): 'online' | 'offline' | null {
    this.lastCheckAtMs = atMs
    this.history.push(outcome.ok ? outcome.rttMs : null)
    if (this.history.length > PROBE_WINDOW) this.history.shift()
    if (outcome.ok) {
      this.rttMs = Math.round(outcome.rttMs)
      this.lastCode = outcome.status
      this.failures = 0
      this.successes++
      if (!this.online && this.successes >= h.successesToOnline) {
        this.online = true
        return 'online'
      }
      return null
    }
    this.successes = 0
    this.failures++
    if (this.online && this.failures >= h.failuresToOffline) {
      this.online = false
      return 'offline'
    }
    return null
  }
}
