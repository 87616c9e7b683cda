// The call's own state (above the dialogs of its two legs) and its legal transitions as data.

/**
 * `routing`: an attempt is in flight and nothing was relayed to the caller yet; `early`: a 18x was relayed;
 * `connecting`: the callee answered and our 2xx to the caller waits for its ACK; `connected`: both legs confirmed;
 * `ended`: the call ended with its one termination reason (transactions it left finish on their own).
 */
export type CallState = 'routing' | 'early' | 'connecting' | 'connected' | 'ended'

/** Allowed transitions; `early -> routing` is a failover after a provisional response. */
export const CALL_NEXT: Readonly<Record<CallState, readonly CallState[]>> = {
  routing: ['early', 'connecting', 'ended'],
  early: ['routing', 'connecting', 'ended'],
  connecting: ['connected', 'ended'],
  connected: ['ended'],
  ended: [],
}

/** Thrown when our own code asks a call for a transition the table forbids (a bug, never network input). */
export class CallStateError extends Error {
  override name = 'CallStateError'
}

/** Returns `next` after checking the table; throws CallStateError otherwise. */
export function nextCallState(from: CallState, next: CallState): CallState {
  if (!CALL_NEXT[from].includes(next)) throw new CallStateError(`call: illegal transition ${from} -> ${next}`)
  return next
}

/** True before the callee answered (a final non-2xx can still go to the caller). */
export function isUnanswered(s: CallState): boolean {
  return s === 'routing' || s === 'early'
}
