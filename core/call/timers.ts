// The per-call timers: the attempt timer (SS_SIP_TIMEOUT_INVITE / _TRYING / _RINGING / _SESSION_PROGRESS / _SESSION_PROGRESS_SDP), the duration cap and its warning (SS_CALLREMINTIME), one dispose().
import type { SystemParams } from '../../shared/params/system-params.js'
import type { Clock, TimerHandle } from '../lib/clock.js'

/**
 * What the attempt waits for: any response (`invite`), an 18x or the answer after 100 Trying alone (`trying`), the
 * answer after 180 (`ringing`), after 183 without/with SDP.
 */
export type AttemptPhase = 'invite' | 'trying' | 'ringing' | 'progress' | 'progressSdp'

/** What plays the warning prompt (the media relay's session): false when it could not (no codec, no RTP latched). */
export interface WarningPrompt {
  playPrompt(): boolean
}

/** The call methods the timers fire (methods on the call, so no per-timer closures beyond the two slots). */
export interface CallTimerOwner {
  onAttemptTimeout(phase: AttemptPhase): void
  onDurationExceeded(): void
  /** SS_CALLREMINTIME before the cap: time for the warning prompt. */
  onRemindDue(): void
}

/** Seconds per phase, from the parameters the call was admitted with. */
function phaseMs(p: SystemParams, phase: AttemptPhase): number {
  switch (phase) {
    case 'invite':
      return p.SS_SIP_TIMEOUT_INVITE * 1000
    case 'trying':
      return p.SS_SIP_TIMEOUT_TRYING * 1000
    case 'ringing':
      return p.SS_SIP_TIMEOUT_RINGING * 1000
    case 'progress':
      return p.SS_SIP_TIMEOUT_SESSION_PROGRESS * 1000
    case 'progressSdp':
      return p.SS_SIP_TIMEOUT_SESSION_PROGRESS_SDP * 1000
  }
}

/** Three slots (attempt, duration, remind) on the injected clock; `dispose()` cancels them and refuses new ones. */
export class CallTimers {
  /** Phase of the armed attempt timer, or null. */
  phase: AttemptPhase | null = null
  private attempt: TimerHandle | null = null
  private duration: TimerHandle | null = null
  private remind: TimerHandle | null = null
  /** Clock time the cap fires at (absolute: nothing re-arms it), null without a cap. */
  deadlineAt: number | null = null
  private disposed = false
  // Created at first use, not per instance: tsx (esbuild keepNames) names every class-field arrow with a defineProperty call.
  private fireAttempt: (() => void) | null = null

  private onAttemptDue(): void {
    this.attempt = null
    const phase = this.phase
    this.phase = null
    if (phase !== null) this.owner.onAttemptTimeout(phase)
  }

  constructor(
    private readonly clock: Clock,
    private readonly params: SystemParams,
    private readonly owner: CallTimerOwner,
  ) {}

  /** (Re)arms the attempt timer for `phase`; re-arming the phase already running keeps its deadline. */
  armAttempt(phase: AttemptPhase): void {
    if (this.disposed || this.phase === phase) return
    this.attempt?.cancel()
    this.phase = phase
    this.attempt = this.clock.after(phaseMs(this.params, phase), (this.fireAttempt ??= () => this.onAttemptDue()))
  }

  /** Stops the attempt timer (answered, failed or given up). */
  clearAttempt(): void {
    this.attempt?.cancel()
    this.attempt = null
    this.phase = null
  }

  /**
   * Arms the duration cap `sec` from now (the answer) and the warning `remindSec` before it; 0 = none. The deadline is
   * absolute: called once per call, and nothing (re-INVITE, UPDATE, session refresh) moves it afterwards.
   */
  armDuration(sec: number, remindSec = 0): void {
    if (this.disposed || sec <= 0 || this.duration !== null) return
    const ms = sec * 1000
    this.deadlineAt = this.clock.now() + ms
    this.duration = this.clock.after(ms, () => {
      this.duration = null
      this.owner.onDurationExceeded()
    })
    // A warning at or before the answer makes no sense (and the params schema refuses remind >= cap).
    if (remindSec > 0 && remindSec < sec) {
      this.remind = this.clock.after(ms - remindSec * 1000, () => {
        this.remind = null
        this.owner.onRemindDue()
      })
    }
  }

  /** Cancels every timer of the call; later arms are ignored. */
  dispose(): void {
    this.disposed = true
    this.clearAttempt()
    this.duration?.cancel()
    this.duration = null
    this.remind?.cancel()
    this.remind = null
  }
}
