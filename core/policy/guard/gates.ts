// The pre-transaction screen's gates: blacklist and bans, pike and the per-source transaction cap, and ingress authentication answered statelessly.
import type { CallObserver } from '../../call/ports.js'
import { sipTransport } from '../../call/ports.js'
import { numberOf, refusalCdr } from '../../call/cdr-facts.js'
import { sourceIp } from '../../config/access-list.js'
import type { ConfigSnapshot } from '../../config/snapshot.js'
import type { Clock } from '../../lib/clock.js'
import type { SipRequest } from '../../sip/message/message.js'
import type { ScreenVerdict } from '../../sip/transaction/types.js'
import { PASS, type RequestGate } from '../../sip/ua/router.js'
import type { RemoteAddr, Transport } from '../../transport/types.js'
import { acceptsDigest, identifySource } from '../identify.js'
import type { IngressAuth } from './ingress-auth.js'
import type { SourceGuard } from './source-guard.js'

/** Where the gates read the current snapshot. */
export interface GateSnapshotSource {
  readonly current: ConfigSnapshot
}

/** Live server transactions per source address (the transaction layer counts them). */
export interface SourceTransactions {
  serverTransactionsFrom(address: string): number
}

const DROP: ScreenVerdict = Object.freeze({ action: 'drop' })
const FORBIDDEN: ScreenVerdict = Object.freeze({ action: 'respond', status: 403 })

/**
 * Sources on the blacklist or banned by this node get silence, or one stateless 403 per request with
 * SS_BLACKLIST_REPLY: no transaction, no timer, no CDR. A whitelisted source always passes.
 */
export class BlacklistGate implements RequestGate {
  readonly name = 'blacklist'

  constructor(private readonly config: GateSnapshotSource, private readonly guard: SourceGuard, private readonly clock: Clock) {}

  check(_req: SipRequest, source: RemoteAddr): ScreenVerdict {
    const snapshot = this.config.current
    if (this.guard.shutOut(snapshot, sourceIp(source.address), this.clock.now()) === null) return PASS
    return snapshot.params.SS_BLACKLIST_REPLY ? FORBIDDEN : DROP
  }
}

/** Pike: a source that is no configured gateway and not whitelisted may send SS_PIKE_RATE requests a second (SS_PIKE_BURST at once); the excess bans it. */
export class PikeGate implements RequestGate {
  readonly name = 'pike'

  constructor(private readonly config: GateSnapshotSource, private readonly guard: SourceGuard, private readonly clock: Clock) {}

  check(_req: SipRequest, source: RemoteAddr): ScreenVerdict {
    const snapshot = this.config.current
    const ip = sourceIp(source.address)
    if (this.guard.trusted(snapshot, ip)) return PASS
    return this.guard.overRate(snapshot, ip, this.clock.now()) ? DROP : PASS
  }
}

/**
 * Such a source holds at most SS_MAX_TRANSACTIONS_PER_SOURCE server transactions (a worker of several its share of
 * them); requests beyond are dropped, so its state stays bounded.
 */
export class SourceTransactionsGate implements RequestGate {
  readonly name = 'source-transactions'

  constructor(private readonly config: GateSnapshotSource, private readonly guard: SourceGuard, private readonly transactions: SourceTransactions) {}

  check(req: SipRequest, source: RemoteAddr): ScreenVerdict {
    if (req.method === 'ACK') return PASS
    const snapshot = this.config.current
    if (this.transactions.serverTransactionsFrom(source.address) < this.guard.transactionCap(snapshot)) return PASS
    return this.guard.trusted(snapshot, sourceIp(source.address)) ? PASS : DROP
  }
}

/** What the ingress gate needs to record a refusal's CDR the way the call layer would. */
export interface RefusalRecording {
  observer: CallObserver
  newCdrId: (nowMs: number) => string
  nodeId: string
  /** Told when recording fails (counted and logged by the composition root). */
  onError: (err: unknown) => void
}

/**
 * Authentication before any transaction (RFC 3261 §8.2.7 stateless UAS): a new INVITE from an unknown source gets
 * one stateless 403 (or silence with SS_REPLY_UNAUTHORIZED off), a digest challenge goes out statelessly, a failed
 * digest gets one stateless 403. Each answers exactly the request received: a retransmission gets the same single
 * answer, and nothing is retransmitted by Timer G, so a spoofed source cannot make the node amplify. An unknown
 * source's other out-of-dialog requests are dropped when SS_REPLY_UNAUTHORIZED is off. The refusals a CDR is asked
 * for (a known gateway's, or all with SS_RECORD_UNKNOWN_SOURCE) are recorded here.
 */
export class IngressAuthGate implements RequestGate {
  readonly name = 'ingress-auth'

  constructor(
    private readonly config: GateSnapshotSource,
    private readonly auth: IngressAuth,
    private readonly guard: SourceGuard,
    private readonly clock: Clock,
    private readonly recording: RefusalRecording | null,
  ) {}

  check(req: SipRequest, source: RemoteAddr, transport: Transport): ScreenVerdict {
    if (req.to?.tag !== undefined || req.method === 'ACK') return PASS
    const snapshot = this.config.current
    if (req.method !== 'INVITE') return this.otherRequest(snapshot, source, req.method)
    const nowMs = this.clock.now()
    const v = this.auth.authenticate(req, source, snapshot, nowMs)
    switch (v.kind) {
      case 'gateway':
        return PASS
      case 'challenge':
        return { action: 'respond', status: v.status, headers: v.headers }
      case 'refuse':
        if (v.recordCdr) this.record(req, source, transport, v.gateway?.id ?? null, v.gateway?.accountId ?? null, v.silent ? null : 403, nowMs)
        return v.silent ? DROP : FORBIDDEN
    }
  }

  /** OPTIONS, REGISTER... from a source no gateway could be: dropped when SS_REPLY_UNAUTHORIZED is off, else answered as usual. */
  private otherRequest(snapshot: ConfigSnapshot, source: RemoteAddr, method: string): ScreenVerdict {
    if (snapshot.params.SS_REPLY_UNAUTHORIZED || acceptsDigest(snapshot) || identifySource(snapshot, source) !== undefined) return PASS
    // A dynamic routing gateway registers from wherever it is: its REGISTER must reach the registrar's challenge.
    if (method === 'REGISTER' && snapshot.routingGatewaysByUsername.size > 0) return PASS
    return this.guard.trusted(snapshot, sourceIp(source.address)) ? PASS : DROP
  }

  private record(req: SipRequest, source: RemoteAddr, transport: Transport, mappingGatewayId: string | null, accountId: string | null, sipCode: number | null, nowMs: number): void {
    const r = this.recording
    if (r === null) return
    const atMs = Math.floor(nowMs)
    const cdr = refusalCdr({
      id: r.newCdrId(atMs), callId: req.callId ?? '', atMs, caller: numberOf(req.from?.uri), callee: numberOf(req.uri), accountId, mappingGatewayId,
      sourceIp: source.address, sourcePort: source.port, sourceTransport: sipTransport(transport), nodeId: r.nodeId, reason: 'AuthenticationFailed', sipCode,
    })
    r.observer.onCallEnded(cdr).catch(r.onError)
  }
}
