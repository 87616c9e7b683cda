// The one billed-seconds rule of a CDR: the answered time rounded up to whole seconds, never more than the call's cap.

/**
 * Billed seconds of a call: 0 when it was never answered, else the answered time rounded UP to whole seconds (VOS3000
 * bills every started second; 61.001 s bills 62 s, exactly 61.000 s bills 61 s), never more than `capSec` when one is
 * set (a cap timer that fires a few ms late, or a crash closed at its last heartbeat, bills the cap).
 */
export function billedDurationSec(answeredAtMs: number | null, endedAtMs: number, capSec = 0): number {
  if (answeredAtMs === null) return 0
  const sec = Math.ceil(Math.max(0, endedAtMs - answeredAtMs) / 1000)
  return capSec > 0 && sec > capSec ? capSec : sec
}
