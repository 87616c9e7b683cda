// The facts a call collects for its CDR (attempts, times, the caller's final status) and the CdrCreate built from them once, at the end.
import { billedDurationSec } from '../../shared/billing/billed-duration.js'
import type { CdrCreate } from '../../shared/entities/cdr.js'
import { describeTerminationReason, type EndedBy, type TerminationReason } from '../../shared/termination/reasons.js'
import type { Clock } from '../lib/clock.js'
import { isSipUri, parseUri } from '../sip/message/headers/uri.js'
import type { CallSkeleton } from './ports.js'

/** One routing attempt as the CDR stores it (shared `cdrAttemptCreate`). */
export type AttemptRecord = CdrCreate['attempts'][number]

/** How the call ended: the one reason, the status the caller got and who ended it. */
export interface CallEnding {
  reason: TerminationReason
  /** Final status sent to the caller (200 when answered); null when nothing was sent. */
  sipCode: number | null
  /** Defaults to the catalogue's side of the reason. */
  endedBy?: EndedBy
  note?: string
}

/** Everything the CDR needs beyond the skeleton. */
export interface CallFacts {
  skeleton: CallSkeleton
  answeredAtMs: number | null
  firstProgressAtMs: number | null
  calleeOut: string | null
  routingGatewayId: string | null
  attempts: AttemptRecord[]
  notes: string[]
  /** Duration cap of the call in seconds (0 or absent = none): billing never exceeds it. */
  capSec?: number
  /** The SS_CALLREMINTIME warning prompt went out (a skipped one is in `notes`). */
  warningPlayed?: boolean
  /** What the media relay received from each side (absent: media was not relayed). */
  rtp?: { packetsFromCaller: number; bytesFromCaller: number; packetsFromCallee: number; bytesFromCallee: number }
}

/** Integer epoch ms for CDR times (the real clock has sub-millisecond precision; the CDR schema takes integers). */
export function epochMs(clock: Clock): number {
  return Math.floor(clock.now())
}

/** The CDR of a finished call (times in epoch ms; PDD = first 18x, else the answer, minus the start). */
export function buildCdr(f: CallFacts, end: CallEnding, endedAtMs: number): CdrCreate {
  const s = f.skeleton
  const progress = f.firstProgressAtMs ?? f.answeredAtMs
  return {
    id: s.id,
    callId: s.callId,
    startedAtMs: s.startedAtMs,
    answeredAtMs: f.answeredAtMs,
    endedAtMs,
    durationSec: billedDurationSec(f.answeredAtMs, endedAtMs, f.capSec),
    pddMs: progress === null ? null : Math.max(0, progress - s.startedAtMs),
    caller: s.caller,
    callee: s.callee,
    calleeOut: f.calleeOut,
    accountId: s.accountId,
    mappingGatewayId: s.mappingGatewayId,
    routingGatewayId: f.routingGatewayId,
    terminationReason: end.reason,
    sipCode: end.sipCode,
    endedBy: end.endedBy ?? describeTerminationReason(end.reason).side,
    attempts: f.attempts,
    cost: null,
    sourceIp: s.sourceIp,
    sourcePort: s.sourcePort,
    sourceTransport: s.sourceTransport ?? 'udp',
    nodeId: s.nodeId,
    warningPlayed: f.warningPlayed ?? false,
    rtpPacketsFromCaller: f.rtp?.packetsFromCaller ?? null,
    rtpBytesFromCaller: f.rtp?.bytesFromCaller ?? null,
    rtpPacketsFromCallee: f.rtp?.packetsFromCallee ?? null,
    rtpBytesFromCallee: f.rtp?.bytesFromCallee ?? null,
    notes: end.note === undefined ? f.notes : [...f.notes, end.note],
  }
}

/** What a refusal before any attempt knows (the B2BUA's refusals and the pre-transaction screen's share it). */
export interface RefusalFacts extends Omit<CallSkeleton, 'startedAtMs'> {
  atMs: number
  reason: TerminationReason
  /** The status sent, null when the request was dropped unanswered. */
  sipCode: number | null
  notes?: readonly string[]
}

/** The CDR of a call refused before any routing attempt (no answer, no attempts, zero duration). */
export function refusalCdr(r: RefusalFacts): CdrCreate {
  const { atMs, reason, sipCode, notes, ...rest } = r
  const skeleton: CallSkeleton = { ...rest, startedAtMs: atMs }
  const facts: CallFacts = { skeleton, answeredAtMs: null, firstProgressAtMs: null, calleeOut: null, routingGatewayId: null, attempts: [], notes: notes === undefined ? [] : [...notes] }
  return buildCdr(facts, { reason, sipCode }, atMs)
}

/** The user part of a SIP/tel URI (the number as signalled), '' when there is none. */
export function numberOf(uri: string | undefined): string {
  if (uri === undefined) return ''
  const u = parseUri(uri)
  if (u === undefined) return ''
  if (isSipUri(u)) return u.user ?? ''
  return u.scheme === 'tel' && 'number' in u ? u.number : ''
}

/** The status and phrase a caller gets for a reason whose catalogue status is fixed (InviteTimeout 408, NoAvailableRouter 503...). */
export function catalogueStatus(reason: TerminationReason, fallback: number): number {
  const st = describeTerminationReason(reason).sipStatus
  if (typeof st === 'number') return st
  if (Array.isArray(st)) return st[0] ?? fallback
  return fallback
}
