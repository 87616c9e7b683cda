// The control channel between a node's primary and each worker (Node's IPC channel, structured clone): notices one way, and questions with their answer.
import type { PromFamily } from '../lib/metrics.js'
import type { CallSummary } from '../call/call.js'
import type { SnapshotInput } from '../config/snapshot.js'
import type { ProbeView } from '../gateway-probes/probe-state.js'
import type { NetworkTestResult } from '../gateway-probes/options-request.js'
import type { BilledBatch } from '../policy/balance-ledger.js'
import type { Ban } from '../policy/guard/ban-store.js'
import type { CountedRefusal, Offence } from '../policy/guard/source-guard.js'
import type { GatewayKind } from '../../shared/entities/enums.js'
import type { Binding } from '../registrar/bindings.js'
import type { RefusalRow } from '../policy/guard/refusal-tally.js'
import type { QualityRow } from './node-quality.js'

/** A day's spend of one account at the node's start, `[accountId, amount, atMs]` (the daily spend guard continues from it). */
export type SpendSeed = [string, number, number]

/** Current calls and calls taken per gateway, as one worker counts them (the node's gateway_status adds them up). */
export interface LineReport {
  mapping: [string, number][]
  routing: [string, number][]
  takenMapping: [string, number][]
  takenRouting: [string, number][]
}

/** A worker's take of limits that span calls: its hold id, the keys and TAKE_LUA's program (cluster-limits.ts). */
export type LimitTake = [id: number, keys: string[], program: number[]]

/** Takes and gives-back of one worker's event-loop turn, sent together. */
export interface LimitBatch {
  /** Takes nothing can refuse (no limit applies): counted, never answered. */
  records: LimitTake[]
  takes: LimitTake[]
  releases: number[]
}

/** A prepaid call's money to reserve for the node: `[id, accountId, want (-1 = all that is free), least]`. */
export type MoneyTake = [id: number, accountId: string, want: number, least: number]

/** A grant given back at a call's end: `[accountId, grant, the call's CDR id and charge, or null]`. */
export type MoneyGiveBack = [accountId: string, grant: number, charge: [cdrId: string, amount: number] | null]

/** What a worker says of itself in /health. */
export interface WorkerHealth {
  index: number
  pid: number
  /** The configuration version the worker runs on. */
  configVersion: number
  draining: boolean
  transactions: number
  unfinished: number
  calls: number
  connections: { tcp: number; tls: number }
}

/** Questions the primary asks a worker, and the type of each answer. */
export interface WorkerQueries {
  /** The supervisor's watchdog: any answer shows the worker's event loop runs. */
  ping: { q: { k: 'ping' }; a: true }
  health: { q: { k: 'health' }; a: WorkerHealth }
  calls: { q: { k: 'calls' }; a: CallSummary[] }
  metrics: { q: { k: 'metrics' }; a: PromFamily[] }
  hasCall: { q: { k: 'hasCall'; id: string }; a: boolean }
  hangup: { q: { k: 'hangup'; id: string }; a: boolean }
  networkTest: { q: { k: 'networkTest'; host: string; port: number; count: number; intervalMs: number }; a: NetworkTestResult }
}

/** A question to a worker. */
export type WorkerQuery = WorkerQueries[keyof WorkerQueries]['q']

/** Notices from the primary to a worker. */
export type ToWorker =
  | { t: 'config'; input: SnapshotInput }
  /**
   * Right after the first configuration: the stored registrations, customer gateways' bindings other nodes published
   * (REDIS_URL), the day's spend so far, and the node's bans and username locks.
   */
  | { t: 'greeting'; bindings: Binding[]; remoteBindings: Binding[]; spend: SpendSeed[]; bans: Ban[]; locks: [string, number][] }
  /** The bindings of one gateway after a REGISTER (worker 0 runs the registrar; the others admit by them). */
  | { t: 'bindings'; kind: GatewayKind; gatewayId: string; bindings: Binding[] }
  /** A customer gateway's bindings another node published in Redis: every worker admits its calls by them. */
  | { t: 'remote-bindings'; gatewayId: string; bindings: Binding[] }
  /** The primary wrote the bindings of the worker's `bindings` notice `n` (or failed to: `ok` false). */
  | { t: 'bindings-stored'; n: number; ok: boolean }
  /** SIGTERM: refuse new calls, let the ones up finish (for up to `timeoutMs`), flush, exit 0. */
  | { t: 'drain'; timeoutMs: number }
  /** A second signal: end the calls now. */
  | { t: 'hurry' }
  | { t: 'tls-reload' }
  /** A ban the primary decided (every worker keeps it), or the time it reached the database. */
  | { t: 'ban'; ban: Ban }
  /** A username the primary locked until `untilMs`. */
  | { t: 'user-lock'; gatewayId: string; untilMs: number }
  /** Online state of the routing gateways from the worker that probes them. */
  | { t: 'online'; online: [string, boolean][] }
  /** Charges the CDR writer committed (the policy's ledger stops holding them as pending). */
  | { t: 'billed'; batch: BilledBatch }
  /** Billed calls of accounts with a daily spend limit that another worker ended. */
  | { t: 'spend'; rows: SpendSeed[] }
  /** Calls another worker finished, for the quality window (node-quality.ts). */
  | { t: 'quality'; rows: QualityRow[] }
  /** Answers to the worker's limit takes, `[id, TAKE_LUA's answer]`. */
  | { t: 'limits'; answers: [number, readonly number[]][] }
  /** Grants for the worker's money takes, `[id, grant]` (0 = the account cannot pay). */
  | { t: 'money'; grants: [number, number][] }
  | Ask
  | Reply

/** Notices from a worker to the primary. */
export type ToPrimary =
  /** Listening: the ports it bound (the node's ports, shared by every worker). */
  | { t: 'ready'; index: number; udpPort: number; tlsPort: number | null }
  /** CDRs durably journaled since the last notice. */
  | { t: 'cdr'; count: number; bytes: number; firstAtMs: number }
  /** A refused attempt that counts towards a ban or a lock: the primary counts the node's. */
  | { t: 'refused'; r: CountedRefusal }
  /** A source over this worker's pike share: the primary bans it (once per flood) and tells every worker. */
  | { t: 'offence'; o: Offence }
  /** A source this worker reported failures of authenticated: the primary forgets its failures. */
  | { t: 'cleared'; ip: string }
  /** The probing worker's latest view of the routing gateways. */
  | { t: 'probes'; views: [string, ProbeView][]; online: [string, boolean][] }
  | { t: 'lines'; report: LineReport }
  /** The registrar's bindings of one gateway, to store and pass on; answered by `bindings-stored` with the same `n`. */
  | { t: 'bindings'; n: number; kind: GatewayKind; gatewayId: string; bindings: Binding[] }
  /** Refused attempts counted since the last notice (the primary adds them to auth_refusals). */
  | { t: 'refusals'; rows: RefusalRow[] }
  /** Expired bindings whose rows go. */
  | { t: 'bindings-expired'; ids: string[] }
  /** Billed calls of accounts with a daily spend limit: the primary tells the other workers. */
  | { t: 'spend'; rows: SpendSeed[] }
  /** Calls this worker finished, for the other workers' quality windows: the primary passes them on. */
  | { t: 'quality'; rows: QualityRow[] }
  /** Limits that span calls, counted by the primary for the whole node (answered by `limits`). */
  | ({ t: 'limits' } & LimitBatch)
  /** Prepaid reservations, counted by the primary for the whole node (takes answered by `money`). */
  | { t: 'money'; takes: MoneyTake[]; releases: MoneyGiveBack[] }
  | Ask
  | Reply

/** A question: answered by a Reply with the same id. */
export interface Ask {
  t: 'ask'
  id: number
  q: WorkerQuery
}

/** The answer to an Ask. */
export interface Reply {
  t: 'reply'
  id: number
  ok: boolean
  value?: unknown
  error?: string
}

/** Thrown when a question gets no answer in time, or the other side is gone. */
export class IpcError extends Error {
  override name = 'IpcError'
}

/** Outstanding questions of one side of a channel, matched to their replies by id. */
export class Questions {
  private nextId = 1
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void; timer: NodeJS.Timeout }>()

  /** Sends `q` through `send` and resolves with the answer (rejects after `timeoutMs`, or when the channel closes). */
  ask<K extends keyof WorkerQueries>(send: (m: Ask) => boolean, q: WorkerQueries[K]['q'], timeoutMs: number): Promise<WorkerQueries[K]['a']> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        reject(new IpcError(`no answer to ${q.k} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer })
      let sent = false
      try {
        sent = send({ t: 'ask', id, q })
      } catch {
        sent = false
      }
      if (!sent) {
        clearTimeout(timer)
        this.waiting.delete(id)
        reject(new IpcError(`cannot ask ${q.k}: the channel is closed`))
      }
    })
  }

  /** A reply arrived: settles its question (late ones are ignored). */
  settle(r: Reply): void {
    const w = this.waiting.get(r.id)
    if (w === undefined) return
    this.waiting.delete(r.id)
    clearTimeout(w.timer)
    if (r.ok) w.resolve(r.value)
    else w.reject(new IpcError(r.error ?? 'failed'))
  }

  /** The other side is gone: every open question fails. */
  abandon(why: string): void {
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer)
      w.reject(new IpcError(why))
      this.waiting.delete(id)
    }
  }
}

/** Answers an Ask with `answer`'s result (or its error) through `send`. */
export function answer(ask: Ask, send: (m: Reply) => void, handle: (q: WorkerQuery) => unknown): void {
  Promise.resolve()
    .then(() => handle(ask.q))
    .then(
      (value) => send({ t: 'reply', id: ask.id, ok: true, value }),
      (err: unknown) => send({ t: 'reply', id: ask.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
    )
}
