// The CDR record the call layer hands to the sink (shared `cdrCreate`, epoch ms), its time-ordered id, PDD and the SystemShutdown record of a crashed call.
import { randomFillSync } from 'node:crypto'
import { billedDurationSec } from '../../shared/billing/billed-duration.js'
import { callCost, type RatingRate } from '../../shared/billing/rating.js'
import type { CdrCreate } from '../../shared/entities/cdr.js'

/** One call detail record exactly as journaled and stored (`cdrs` row shape; times are epoch ms). */
export type CdrRecord = CdrCreate

/** The call layer's view of a starting and an answered call (declared in call/ports.ts, the interface owner). */
import type { CallAnswer, CallSkeleton } from '../call/ports.js'
export type { CallAnswer, CallSkeleton }

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

// The random part comes from a pooled CSPRNG buffer: one randomFillSync per 4 KiB (409 ids) instead of a randomBytes
// allocation and a getrandom call per id.
const POOL_BYTES = 4090
const pool = Buffer.allocUnsafe(POOL_BYTES)
let poolAt = POOL_BYTES

/** A ULID (26 chars: 48-bit ms time + 80 random bits, Crockford base32): sorts by start time, unique without coordination. */
export function newCdrId(nowMs: number, random?: Uint8Array): string {
  let src: Uint8Array
  let at: number
  if (random !== undefined) {
    src = random
    at = 0
  } else {
    if (poolAt + 10 > POOL_BYTES) {
      randomFillSync(pool)
      poolAt = 0
    }
    src = pool
    at = poolAt
    poolAt += 10
  }
  let time = ''
  let t = Math.max(0, Math.floor(nowMs))
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time
    t = Math.floor(t / 32)
  }
  let rand = ''
  let acc = 0
  let bits = 0
  for (let i = 0; i < 10; i++) {
    acc = (acc << 8) | (src[at + i] ?? 0)
    bits += 8
    while (bits >= 5) {
      bits -= 5
      rand += CROCKFORD[(acc >> bits) & 31]!
    }
    acc &= (1 << bits) - 1
  }
  return time + rand
}

/** Post-dial delay: INVITE received until the first 180/183 (or the answer when none came); null when neither came. */
export function postDialDelayMs(startedAtMs: number, firstProgressAtMs: number | null): number | null {
  return firstProgressAtMs === null ? null : Math.max(0, firstProgressAtMs - startedAtMs)
}

/** Cost at a rate read back from the open-call journal; null when it is unusable (a torn or hand-edited line must not stop the start). */
function journaledCost(durationSec: number, rate: RatingRate, precision: number): number | null {
  try {
    return callCost(durationSec, rate, precision)
  } catch {
    return null
  }
}

/**
 * The CDR of a call that was still up when the node died: ended at the last time the node was known alive, billed (at
 * most its cap) at the prices journaled with its answer, so a crash never hands out free talk time.
 */
export function systemShutdownRecord(call: CallSkeleton, answer: CallAnswer | null, lastKnownAtMs: number): CdrRecord {
  const endedAtMs = Math.max(lastKnownAtMs, answer?.answeredAtMs ?? call.startedAtMs, call.startedAtMs)
  const durationSec = billedDurationSec(answer?.answeredAtMs ?? null, endedAtMs, answer?.capSec ?? 0)
  const t = answer?.tariff ?? null
  return {
    ...call,
    sourceTransport: call.sourceTransport ?? 'udp',
    answeredAtMs: answer?.answeredAtMs ?? null,
    endedAtMs,
    durationSec,
    cost: t?.customer == null ? null : journaledCost(durationSec, t.customer, t.precision),
    vendorCost: t?.vendor == null ? null : journaledCost(durationSec, t.vendor, t.precision),
    pddMs: answer?.pddMs ?? null,
    calleeOut: answer?.calleeOut ?? null,
    routingGatewayId: answer?.routingGatewayId ?? null,
    terminationReason: 'SystemShutdown',
    sipCode: answer === null ? null : 200,
    endedBy: 'switch',
    attempts: [],
    warningPlayed: false,
    notes: ['closed at restart: the node stopped while the call was up; endedAt is the last time it was known alive'],
  }
}
