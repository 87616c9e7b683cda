// RFC 3261 §17 / RFC 6026 letter timers derived from T1, T2 and T4, with the values for unreliable and reliable transports.

/** Base timer parameters in ms (RFC 3261 §17.1.1.1 defaults: T1 500, T2 4000, T4 5000). */
export interface TimerParams {
  T1?: number
  T2?: number
  T4?: number
}

/** Every letter timer in ms; A, E and G are initial retransmit intervals (0 = no retransmission on reliable transports). */
export interface RfcTimers {
  readonly T1: number
  readonly T2: number
  readonly T4: number
  /** INVITE retransmit, starts at T1 and doubles (§17.1.1.2). */
  readonly A: number
  /** INVITE transaction timeout, 64*T1 (§17.1.1.2). */
  readonly B: number
  /** Wait for response retransmissions in ICT completed: >= 32 s on UDP, 0 on reliable (§17.1.1.2). */
  readonly D: number
  /** Non-INVITE retransmit, starts at T1, doubles, capped at T2 (§17.1.2.2). */
  readonly E: number
  /** Non-INVITE transaction timeout, 64*T1 (§17.1.2.2). */
  readonly F: number
  /** INVITE final response retransmit, T1 doubling capped at T2 (§17.2.1). */
  readonly G: number
  /** Wait for ACK, 64*T1 (§17.2.1). */
  readonly H: number
  /** Wait for ACK retransmissions, T4 on UDP, 0 on reliable (§17.2.1). */
  readonly I: number
  /** Wait for non-INVITE request retransmissions, 64*T1 on UDP, 0 on reliable (§17.2.2). */
  readonly J: number
  /** Wait for non-INVITE response retransmissions, T4 on UDP, 0 on reliable (§17.1.2.2). */
  readonly K: number
  /** IST accepted: wait for INVITE retransmissions, 64*T1 (RFC 6026 §8.7). */
  readonly L: number
  /** ICT accepted: wait for 2xx retransmissions, 64*T1 (RFC 6026 §8.4). */
  readonly M: number
}

/** Thrown for impossible timer parameters (a configuration bug). */
export class TimerParamsError extends Error {
  override name = 'TimerParamsError'
}

/** Derives all letter timers; `reliable` gives the TCP/TLS values (no retransmission, zero wait states). */
export function rfcTimers(params: TimerParams = {}, reliable = false): RfcTimers {
  const T1 = params.T1 ?? 500
  const T2 = params.T2 ?? 4000
  const T4 = params.T4 ?? 5000
  if (!(T1 > 0) || !(T2 >= T1) || !(T4 > 0)) throw new TimerParamsError(`need 0 < T1 <= T2 and T4 > 0 (T1=${T1} T2=${T2} T4=${T4})`)
  const x64 = 64 * T1
  return {
    T1,
    T2,
    T4,
    A: reliable ? 0 : T1,
    B: x64,
    D: reliable ? 0 : Math.max(32_000, x64),
    E: reliable ? 0 : T1,
    F: x64,
    G: reliable ? 0 : T1,
    H: x64,
    I: reliable ? 0 : T4,
    J: reliable ? 0 : x64,
    K: reliable ? 0 : T4,
    L: x64,
    M: x64,
  }
}
