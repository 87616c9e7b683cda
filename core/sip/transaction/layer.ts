// The transaction layer: parse -> validate -> match -> absorb retransmissions or hand up; stateless answers; CANCEL; client transactions (RFC 3261 §17, §18, §9).
import type { Clock } from '../../lib/clock.js'
import { silentLogger, type Logger } from '../../lib/log.js'
import { Metrics, type CounterSeries, type Histogram, type Metric } from '../../lib/metrics.js'
import { isIP } from 'node:net'
import { NO_TRANSPORTS, type RemoteAddr, type SendListener, type Transport, type TransportLookup, type TransportUser } from '../../transport/types.js'
import { buildCancel, buildResponse, generateBranch, generateStatelessTag, generateTag, isStatelessTag } from '../message/build.js'
import type { SipMessage, SipRequest, SipResponse } from '../message/message.js'
import { parseVia, viaWithBranch, type Via } from '../message/headers/via.js'
import { parseMessage } from '../message/parse.js'
import { serializeMessage, serializeResponseTo } from '../message/serialize.js'
import { validateRequest, validateResponse, type ValidateOptions } from '../message/validate.js'
import { InviteClientTransaction } from './invite-client.js'
import { InviteServerTransaction } from './invite-server.js'
import { clientKey, defaultPort, isRfc2543Key, isRfc3261Branch, serverKey } from './key.js'
import { NonInviteClientTransaction } from './non-invite-client.js'
import { NonInviteServerTransaction } from './non-invite-server.js'
import { responseTarget, stampReceived } from './response-target.js'
import { Family, MessageCounters } from './message-counters.js'
import { rfcTimers, type RfcTimers, type TimerParams } from './timers.js'
import { TransactionError } from './failures.js'
import { WaitQueues, type Waiter } from './wait-queue.js'
import { WaitBytes } from './wait-bytes.js'
import {
  AcceptedClientInvite,
  AcceptedServerInvite,
  COMPLETED_CLIENT_REQUEST,
  CompletedClientRequest,
  CompletedServerRequest,
  type ClientWait,
  type ServerWait,
} from './wait-records.js'
import { ownString } from '../../lib/own-string.js'
import { keepBytes, keptBytes, type AcceptedInviteUser, type SizeFallback, type Transaction, type TransactionContext } from './transaction.js'
import {
  type AnyTransaction,
  type ClientTransaction,
  type ScreenVerdict,
  type ServerTransaction,
  type ServerTransactionUser,
  type TransactionUser,
} from './types.js'

/** Options for a TransactionLayer. */
export interface TransactionLayerOptions {
  clock: Clock
  /** The core receiving requests (the request router): its screen runs before a server transaction is created. */
  user: ServerTransactionUser
  /** T1/T2/T4 in ms (system parameters); defaults 500/4000/5000. */
  timers?: TimerParams
  /** Request checks (supported option tags, URI schemes, body types). */
  validate?: Partial<ValidateOptions>
  /** Send 100 Trying for every new INVITE before the TU sees it (RFC 3261 §17.2.1; default true). */
  autoTrying?: boolean
  /** Agent name in Warning headers of stateless responses (RFC 3261 §20.43; default: the transport address). */
  warnAgent?: string
  /** Host written as the Via sent-by of our requests (SIP_ADVERTISED_HOST behind NAT or on Fly); default: the socket address. */
  viaHost?: string
  log?: Logger
  metrics?: Metrics
}

/** RFC 3261 §18.1.1: requests over 1300 bytes go over TCP when the path MTU is unknown (always, for us). */
export const LARGE_REQUEST_BYTES = 1300

/** How long a peer that refused a size-driven TCP connection is sent large requests over UDP straight away. */
const NO_TCP_MEMORY_MS = 5 * 60_000

/** Counters the layer keeps; cached series so the hot path does no label lookups. */
interface LayerCounters {
  messages: MessageCounters
  parseErrors: CounterSeries
  bad: CounterSeries
  dropped: CounterSeries
  stray: CounterSeries
  stateless: Family
  retransmits: Metric
  absorbed: CounterSeries
  statelessAcks: CounterSeries
  upgraded: Metric
  /** Client transactions: request sent to first final response, by method (INVITE includes the ringing time). */
  latency: Histogram
}

/** ACKs of the node's stateless answers, absorbed by their To tag alone (here, or by a worker's dispatch before any parse). */
export function statelessAcksCounter(m: Metrics): CounterSeries {
  return m.counter('sip_stateless_acks_total', 'ACKs of stateless answers (challenges, refusals) absorbed by their To tag, with no lookup').labels()
}

/** Methods the latency histogram names; others share `other`, so the label set stays small. */
const LATENCY_METHODS = new Set(['INVITE', 'BYE', 'CANCEL', 'OPTIONS', 'UPDATE', 'INFO'])

/** What an ACK can match: an INVITE server transaction, or its record in accepted. */
type AckMatch = InviteServerTransaction | AcceptedServerInvite

function asIst(tx: ServerTransaction | ServerWait | undefined): AckMatch | undefined {
  return tx instanceof InviteServerTransaction || tx instanceof AcceptedServerInvite ? tx : undefined
}

/** Owns every transaction of the node; implements TransportUser for all transports below it. */
export class TransactionLayer implements TransportUser, TransactionContext {
  readonly clock: Clock
  readonly log: Logger
  /** Timers for new transactions; `setTimers` replaces them (running transactions keep theirs). */
  udpTimers: RfcTimers
  reliableTimers: RfcTimers
  private readonly user: ServerTransactionUser
  private readonly validateOptions: Partial<ValidateOptions>
  private readonly autoTrying: boolean
  private readonly warnAgent: string | undefined
  private readonly viaHost: string | undefined
  /** Server transactions by key; in a wait state, the compact record that stands for one (wait-records.ts). */
  private readonly servers = new Map<string, ServerTransaction | ServerWait>()
  /** Live server transactions per source address, so the screen can cap what one source holds. */
  private readonly serversBySource = new Map<string, number>()
  private readonly clients = new Map<string, ClientTransaction | ClientWait>()
  private readonly c: LayerCounters
  /** The node's transports by protocol (TCP for large requests, dialogs picking by URI); set with useTransports. */
  transports: TransportLookup = NO_TRANSPORTS
  /** Peers (address|port) that refused a TCP connection for a large request, until when (ms). */
  private readonly noTcp = new Map<string, number>()
  private readonly proceedingHook = (tx: InviteClientTransaction): void => this.sendWantedCancel(tx)
  private readonly waits: WaitQueues
  /** Timers J, L (servers) and K, M (clients) of the records, by key. */
  private readonly serverWaits: WaitQueues<string | CompletedServerRequest>
  private readonly clientWaits: WaitQueues<string>
  /** The bytes the records re-send (a NIST's final; an accepted ICT's user keeps its ACK there), off the V8 heap. */
  readonly waitBytes: WaitBytes
  /** The longest Timer M of any transaction (the span an accepted ICT's user keeps its bytes for, see `setTimers`). */
  private longestM: number
  /** The accepted INVITE server transactions' record per source address (bounded like `remotes`). */
  private readonly acceptedBySource = new Map<string, AcceptedServerInvite>()
  private readonly viaHeads = new WeakMap<Transport, { text: string; parsed: Via | undefined }>()
  /** Addresses transactions keep, one object per address and port (see `sharedRemote`). */
  private readonly remotes = new Map<string, Map<number, RemoteAddr>>()
  private remoteCount = 0

  constructor(opts: TransactionLayerOptions) {
    this.clock = opts.clock
    this.user = opts.user
    this.log = opts.log ?? silentLogger
    this.udpTimers = rfcTimers(opts.timers, false)
    this.reliableTimers = rfcTimers(opts.timers, true)
    this.validateOptions = opts.validate ?? {}
    const waitError = (err: unknown): void => this.log.error('transaction wait state end threw', { err: String(err) })
    this.waits = new WaitQueues<Waiter>(opts.clock, (w) => w.waitOver(), waitError)
    this.serverWaits = new WaitQueues<string | CompletedServerRequest>(opts.clock, (w) => this.endServerWait(w), waitError)
    this.clientWaits = new WaitQueues<string>(opts.clock, (key) => this.endClientWait(key), waitError)
    this.waitBytes = new WaitBytes(opts.clock)
    this.longestM = Math.max(this.udpTimers.M, this.reliableTimers.M)
    this.autoTrying = opts.autoTrying ?? true
    this.warnAgent = opts.warnAgent
    this.viaHost = opts.viaHost === undefined ? undefined : opts.viaHost.includes(':') && !opts.viaHost.startsWith('[') ? `[${opts.viaHost}]` : opts.viaHost
    const m = opts.metrics ?? new Metrics()
    m.gauge('sip_transactions', 'Live SIP transactions', [], () => this.size)
    this.c = {
      messages: new MessageCounters(m),
      parseErrors: m.counter('sip_parse_errors_total', 'Datagrams that did not parse as SIP').labels(),
      bad: m.counter('sip_bad_messages_total', 'Datagrams dropped as unparseable or invalid').labels(),
      dropped: m.counter('sip_requests_dropped_total', 'Requests dropped without an answer (no usable Via)').labels(),
      stray: m.counter('sip_stray_responses_total', 'Responses matching no client transaction').labels(),
      upgraded: m.counter('sip_large_requests_total', 'Requests over 1300 bytes bound for UDP (RFC 3261 §18.1.1), by the transport they went out on', ['transport']),
      stateless: new Family(m.counter('sip_stateless_responses_total', 'Responses sent without a transaction', ['status'])),
      retransmits: m.counter('sip_retransmissions_total', 'Retransmissions sent by transactions', ['kind']),
      absorbed: m.counter('sip_absorbed_retransmissions_total', 'Received retransmissions matched to a transaction').labels(),
      statelessAcks: statelessAcksCounter(m),
      latency: m.histogram('sip_client_transaction_seconds', 'Client transactions: request sent to its first final response (INVITE includes ringing)', ['method'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]),
    }
  }

  /** Live transactions (client + server); returns to 0 when the node is idle. */
  get size(): number {
    return this.servers.size + this.clients.size
  }

  /**
   * Transactions that still owe the network something: a request unanswered, a final not yet ACKed, a request
   * awaiting its final. Those only absorbing retransmissions (Timers D/I/J/K/L/M) do not count. Drains wait for 0.
   */
  get unfinished(): number {
    let n = 0
    for (const tx of this.servers.values()) if (tx.state === 'trying' || tx.state === 'proceeding' || (tx.kind === 'ist' && tx.state === 'completed')) n++
    for (const tx of this.clients.values()) if (tx.state === 'calling' || tx.state === 'trying' || tx.state === 'proceeding') n++
    return n
  }

  /** The transports this layer serves (it is their user): TCP takes large requests, dialogs choose by URI transport. */
  useTransports(transports: TransportLookup): void {
    this.transports = transports
  }

  /** New T1/T2/T4 (a config swap): transactions created from now on use them, running ones keep their own. */
  setTimers(params: TimerParams): void {
    const udp = rfcTimers(params, false)
    this.reliableTimers = rfcTimers(params, true)
    this.udpTimers = udp
    this.longestM = Math.max(this.longestM, udp.M, this.reliableTimers.M)
  }

  /** Live client and server transaction counts. */
  get counts(): { client: number; server: number } {
    return { client: this.clients.size, server: this.servers.size }
  }

  // ---- TransportUser ------------------------------------------------------------------------------

  /** One datagram from any transport: RFC 3261 §18.3 framing is the parser's; never throws on bad input. */
  onMessage(buf: Buffer, remote: RemoteAddr, transport: Transport): void {
    const r = parseMessage(buf, transport.reliable ? 'stream' : 'datagram')
    if (!r.ok) {
      if (r.error.code === 'empty') return
      this.c.parseErrors.inc()
      const partial = r.error.partial
      // STYLE: if Via, Call-ID, CSeq, From and To are recoverable, answer 400 statelessly; else drop and count.
      if (partial !== undefined && partial.method !== 'ACK' && partial.topVia !== undefined) {
        this.c.bad.inc()
        stampReceived(partial, remote)
        this.respondStateless(partial, 400, undefined, r.error.message, [], remote, transport)
        return
      }
      this.c.bad.inc()
      if (this.log.enabled('debug')) this.log.debug('dropped unparseable datagram', { error: r.error.code, remote: `${remote.address}:${remote.port}` })
      return
    }
    const msg = r.message
    this.c.messages.received(msg)
    if (msg.isRequest) this.receiveRequest(msg, remote, transport)
    else this.receiveResponse(msg, remote, transport)
  }

  /** A stream message whose body exceeds the transport's limit: RFC 3261 §21.5.14 513 when the head names a request. */
  onOversized(head: Buffer, remote: RemoteAddr, transport: Transport): void {
    this.c.parseErrors.inc()
    this.c.bad.inc()
    const r = parseMessage(head, 'datagram')
    const req = r.ok ? (r.message.isRequest ? r.message : undefined) : r.error.partial
    if (req === undefined || req.method === 'ACK' || req.topVia === undefined) return
    stampReceived(req, remote)
    this.respondStateless(req, 513, undefined, 'message body too large', [], remote, transport)
  }

  // ---- requests ----------------------------------------------------------------------------------

  private receiveRequest(req: SipRequest, remote: RemoteAddr, transport: Transport): void {
    // RFC 3261 §18.2.1: stamp received/rport first, so the rewritten top Via is the only one ever parsed.
    stampReceived(req, remote)
    const v = validateRequest(req, this.validateOptions)
    if (!v.ok) {
      this.c.bad.inc()
      // RFC 3261 §17: an ACK is never answered.
      if (v.drop === true || req.method === 'ACK' || req.topVia === undefined) return
      this.respondStateless(req, v.status, v.reason, v.warning, v.headers, remote, transport)
      return
    }
    if (transport.alias !== undefined) this.noteAlias(req, remote, transport)
    switch (req.method) {
      case 'ACK':
        return this.receiveAck(req, remote, transport)
      case 'CANCEL':
        return this.receiveCancel(req, remote, transport)
      default:
        return this.receiveOther(req, remote, transport)
    }
  }

  /** RFC 5923 §5: a top Via with `alias` lets requests to its sent-by reuse this connection (the transport checks the host). */
  private noteAlias(req: SipRequest, remote: RemoteAddr, transport: Transport): void {
    const via = req.topVia
    if (via === undefined || !via.params.has('alias')) return
    const host = via.host.charCodeAt(0) === 91 ? via.host.slice(1, -1) : via.host
    const v = isIP(host)
    if (v === 0) return
    transport.alias!(remote, { address: host, port: via.port ?? defaultPort(via.transport), family: v === 6 ? 'IPv6' : 'IPv4' })
  }

  private receiveOther(req: SipRequest, remote: RemoteAddr, transport: Transport): void {
    const key = serverKey(req, req.method)
    if (key === undefined) {
      this.c.dropped.inc()
      return
    }
    const existing = this.servers.get(key)
    if (existing !== undefined) {
      // RFC 3261 §17.2.3: a retransmission; the machine (or its record) re-sends its last response or absorbs it.
      this.c.absorbed.inc()
      this.retransmissionTo(existing)
      return
    }
    if (!this.passes(req, remote, transport)) return
    const tx = this.createServer(req, key, remote, transport)
    if (tx.kind === 'ist' && this.autoTrying) {
      // RFC 3261 §17.2.1: the IST sends 100 Trying unless the TU answers within 200 ms; we always send it at once.
      tx.respond(buildResponse(req, 100))
    }
    try {
      this.user.onRequest(req, tx)
    } catch (err) {
      // A TU bug must not strand the transaction in proceeding (no timer runs there): answer 500, then let the transport guard log it.
      if (tx.state === 'proceeding' || tx.state === 'trying') tx.respond(buildResponse(req, 500, { toTag: generateTag() }))
      throw err
    }
  }

  private createServer(req: SipRequest, wireKey: string, remote: RemoteAddr, transport: Transport): ServerTransaction {
    // The key lives as long as the transaction (32 s in a wait state): a copy, not slices that pin the request's text.
    const key = ownString(wireKey)
    const via = req.topVia!
    const source = this.sharedRemote(remote)
    const target = this.sharedRemote(responseTarget(via, source, transport.reliable))
    const tx =
      req.method === 'INVITE'
        ? new InviteServerTransaction(this, key, req, transport, target, source, this.user)
        : new NonInviteServerTransaction(this, key, req, transport, target, source, this.user)
    // RFC 3261 §18.2.2: over a stream, responses use the request's connection; once it closed, a new one to the source at the sent-by port.
    if (transport.reliable) tx.reopenTarget = { address: remote.address, port: via.port ?? defaultPort(via.transport), family: remote.family }
    this.servers.set(key, tx)
    this.serversBySource.set(remote.address, (this.serversBySource.get(remote.address) ?? 0) + 1)
    return tx
  }

  private receiveAck(ack: SipRequest, remote: RemoteAddr, transport: Transport): void {
    // RFC 3261 §8.2.7: the ACK of a stateless answer (a challenge, say) has no transaction or dialog to look for.
    const tag = ack.to?.tag
    if (tag !== undefined && isStatelessTag(tag)) {
      this.c.statelessAcks.inc()
      return
    }
    const ist = this.findInviteForAck(ack)
    if (ist !== undefined) {
      // RFC 3261 §17.2.1: ACK for a non-2xx is absorbed by the IST; RFC 6026 §8.7: in accepted it goes to the TU.
      if (!ist.onAck()) {
        this.c.absorbed.inc()
        return
      }
    }
    // RFC 3261 §17: an ACK for a 2xx is its own transaction-less request, handled by the dialog layer (already stamped).
    if (!this.passes(ack, remote, transport)) return
    this.user.onAck(ack, remote, transport)
  }

  /** A request matched `tx`: the machine handles it; a completed record re-sends its final (RFC 3261 §17.2.2). */
  private retransmissionTo(tx: ServerTransaction | ServerWait): void {
    if (!(tx instanceof CompletedServerRequest)) return tx.onRetransmission()
    const final = typeof tx.final === 'string' ? keptBytes(tx.final) : this.waitBytes.bytes(tx.final)
    if (final === null) return
    tx.transport.send(final, tx.target)
    this.retransmitted('nist')
  }

  private findInviteForAck(ack: SipRequest): AckMatch | undefined {
    if (isRfc3261Branch(ack.topVia?.branch)) {
      const k = serverKey(ack, 'INVITE')
      return k === undefined ? undefined : asIst(this.servers.get(k))
    }
    // RFC 3261 §17.2.3 (RFC 2543 peers): the ACK's To tag is the response's; try the INVITE's tag (re-INVITE), then none.
    const withTag = serverKey(ack, 'INVITE')
    const byTag = withTag === undefined ? undefined : asIst(this.servers.get(withTag))
    if (byTag !== undefined) return byTag
    const untagged = serverKey(ack, 'INVITE', '')
    const ist = untagged === undefined ? undefined : this.servers.get(untagged)
    return ist instanceof InviteServerTransaction && ist.finalToTag === ack.to?.tag ? ist : undefined
  }

  private receiveCancel(cancel: SipRequest, remote: RemoteAddr, transport: Transport): void {
    const key = serverKey(cancel, 'CANCEL')
    if (key === undefined) {
      this.c.dropped.inc()
      return
    }
    const existing = this.servers.get(key)
    if (existing !== undefined) {
      this.c.absorbed.inc()
      this.retransmissionTo(existing)
      return
    }
    // RFC 3261 §9.2: the CANCEL matches the INVITE's server transaction by its branch with method INVITE.
    if (!this.passes(cancel, remote, transport)) return
    const inviteKey = serverKey(cancel, 'INVITE')
    const target = inviteKey === undefined ? undefined : this.servers.get(inviteKey)
    const tx = this.createServer(cancel, key, remote, transport)
    if (target === undefined) {
      // RFC 3261 §9.2: no matching transaction -> 481.
      tx.respond(buildResponse(cancel, 481, { toTag: generateTag() }))
      return
    }
    // RFC 3261 §9.2: a matched CANCEL is answered 200 by the UAS itself, whatever the INVITE's state.
    tx.respond(buildResponse(cancel, 200, { toTag: generateTag() }))
    if (target instanceof InviteServerTransaction && target.state === 'proceeding') this.user.onCancel(cancel, target)
  }

  /** The TU's pre-transaction screen: true to go on; a drop, or a stateless answer (never to an ACK), ends the request here. */
  private passes(req: SipRequest, remote: RemoteAddr, transport: Transport): boolean {
    const verdict: ScreenVerdict | undefined = this.user.screen?.(req, remote, transport)
    if (verdict === undefined || verdict.action === 'pass') return true
    if (verdict.action === 'respond' && req.method !== 'ACK') {
      this.respondStateless(req, verdict.status, verdict.reason, undefined, verdict.headers ?? [], remote, transport)
    }
    return false
  }

  /** Answers without a transaction (validation failures) to a request already stamped with received/rport; To tag added. RFC 3261 §8.2.6. */
  private respondStateless(req: SipRequest, status: number, reason: string | undefined, warning: string | undefined, extra: ReadonlyArray<readonly [string, string]>, remote: RemoteAddr, transport: Transport): void {
    const via = req.topVia
    if (via === undefined) {
      this.c.dropped.inc()
      return
    }
    let headers = extra
    if (warning !== undefined) {
      const agent = this.warnAgent ?? `${transport.local.address}:${transport.local.port}`
      headers = [...extra, ['Warning', `399 ${agent} "${warning.replaceAll('"', "'")}"`]]
    }
    // Written straight from the request's lines: nothing keeps a stateless answer, so no response object is built.
    const bytes = serializeResponseTo(req, status, reason, generateStatelessTag(), headers)
    this.c.stateless.inc(status)
    this.c.messages.sentResponse(status)
    transport.send(bytes, responseTarget(req.topVia ?? via, remote, transport.reliable))
  }

  // ---- responses ---------------------------------------------------------------------------------

  private receiveResponse(res: SipResponse, remote: RemoteAddr, transport: Transport): void {
    const v = validateResponse(res)
    if (!v.ok) {
      // RFC 3261 §18.1.2: a malformed response is always dropped.
      this.c.bad.inc()
      return
    }
    const via = res.topVia!
    const cseq = res.cseq!
    const tx = via.branch === undefined ? undefined : this.clients.get(clientKey(via.branch, cseq.method))
    if (tx !== undefined) {
      // RFC 3261 §8.1.3.3: a UAC discards responses with more than one Via (the one left is the top Via, already parsed).
      if (res.headers.countAll('via') !== 1) {
        this.c.bad.inc()
        return
      }
      const awaitingFinal = tx.state === 'calling' || tx.state === 'trying' || tx.state === 'proceeding'
      // Read before the machine sees the final: entering a wait state lets its start time go.
      const startedAtMs = tx.startedAtMs
      tx.onResponse(res)
      if (awaitingFinal && res.status >= 200) {
        this.c.latency.labels(LATENCY_METHODS.has(cseq.method) ? cseq.method : 'other').observe((this.clock.now() - startedAtMs) / 1000)
      }
      return
    }
    if (cseq.method === 'INVITE' && res.status >= 200 && res.status < 300) {
      // RFC 6026 §7.2: a 2xx with no ICT (after Timer M, or forked) goes to the dialog layer.
      this.user.onStray2xx(res, remote, transport)
      return
    }
    // RFC 3261 §17.1.3 / §18.1.2: a response that matches no transaction is dropped.
    this.c.stray.inc()
    if (this.log.enabled('debug')) this.log.debug('dropped stray response', { status: res.status, callId: res.callId, remote: `${remote.address}:${remote.port}` })
  }

  // ---- API for the TU ----------------------------------------------------------------------------

  /** Prepends `Via: SIP/2.0/<proto> <local>;branch=z9hG4bK...;rport` for `transport` (RFC 3261 §8.1.1.7, RFC 3581); returns the branch. */
  addVia(req: SipRequest, transport: Transport): string {
    const branch = generateBranch()
    const head = this.viaHead(transport)
    const value = head.text + ';branch=' + branch + ';rport'
    // The new top Via's parsed form is known: the layer reading its branch does not parse it again.
    if (head.parsed !== undefined) req.prependVia(value, viaWithBranch(head.parsed, value, head.text.length, branch))
    else req.headers.prepend('via', value)
    return branch
  }

  /** `SIP/2.0/<proto> <local>` for `transport` and its parsed form, made once per transport. */
  private viaHead(transport: Transport): { text: string; parsed: Via | undefined } {
    let head = this.viaHeads.get(transport)
    if (head === undefined) {
      const l = transport.local
      const host = this.viaHost ?? (l.family === 'IPv6' ? `[${l.address}]` : l.address)
      const text = `SIP/2.0/${transport.protocol} ${host}:${l.port}`
      head = { text, parsed: parseVia(text) }
      this.viaHeads.set(transport, head)
    }
    return head
  }

  private viaValue(transport: Transport, branch: string): string {
    return this.viaHead(transport).text + ';branch=' + branch + ';rport'
  }

  /** Rewrites our top Via for `transport` (same branch) and returns the request's new wire bytes. */
  private moveVia(req: SipRequest, transport: Transport, branch: string): Buffer {
    const value = this.viaValue(transport, branch)
    req.replaceTopVia(value, parseVia(value)!)
    return serializeMessage(req)
  }

  /** Starts a client transaction for `req` (top Via with an RFC 3261 branch required) to `remote` over `transport`. RFC 3261 §17.1. */
  sendRequest(req: SipRequest, transport: Transport, remote: RemoteAddr, user: TransactionUser): ClientTransaction {
    if (req.method === 'ACK') throw new TransactionError('ACK has no client transaction; use sendStateless (RFC 3261 §17.1.1.3, §13.2.2.4)')
    const branch = req.topVia?.branch
    if (!isRfc3261Branch(branch)) throw new TransactionError(`${req.method} needs a top Via with an RFC 3261 branch (use addVia)`)
    const key = ownString(clientKey(branch, req.method))
    if (this.clients.has(key)) throw new TransactionError(`duplicate client transaction ${branch} ${req.method}`)
    remote = this.sharedRemote(remote)
    let wire = serializeMessage(req)
    let fallback: SizeFallback | null = null
    if (wire.length > LARGE_REQUEST_BYTES && transport.protocol === 'UDP') {
      const tcp = this.transports.get('TCP')
      if (tcp !== undefined && !this.refusedTcp(remote)) {
        // RFC 3261 §18.1.1: a large request goes over TCP, its top Via changed to say so; a refused connection falls back.
        wire = this.moveVia(req, tcp, branch)
        const udp = transport
        fallback = { transport: udp, rewire: () => this.moveVia(req, udp, branch), onFallback: () => this.rememberNoTcp(remote) }
        transport = tcp
      }
      this.c.upgraded.labels(transport.protocol.toLowerCase()).inc()
    }
    this.c.messages.sent(req)
    const tx =
      req.method === 'INVITE'
        ? new InviteClientTransaction(this, key, req, wire, transport, remote, user, this.proceedingHook)
        : new NonInviteClientTransaction(this, key, req, wire, transport, remote, user)
    if (fallback !== null) tx.setFallback(fallback)
    this.clients.set(key, tx)
    tx.start()
    return tx
  }

  /**
   * The one RemoteAddr kept for `r`'s address and port. A received message's source is a new object (and address
   * string) per datagram, and a call leaves three transactions waiting 32 s, each keeping where it sends: sharing them
   * saves ~80 bytes per waiting transaction. Bounded: past 4,096 addresses (a spoofed flood) the table starts again.
   */
  private sharedRemote(r: RemoteAddr): RemoteAddr {
    let ports = this.remotes.get(r.address)
    const known = ports?.get(r.port)
    if (known !== undefined && known.family === r.family) return known
    if (this.remoteCount >= 4096) {
      this.remotes.clear()
      this.remoteCount = 0
      ports = undefined
    }
    if (ports === undefined) {
      ports = new Map()
      this.remotes.set(ownString(r.address), ports)
    }
    const shared: RemoteAddr = { address: ownString(r.address), port: r.port, family: r.family }
    ports.set(r.port, shared)
    this.remoteCount++
    return shared
  }

  private refusedTcp(remote: RemoteAddr): boolean {
    const k = remote.address + '|' + remote.port
    const until = this.noTcp.get(k)
    if (until === undefined) return false
    if (until > this.clock.now()) return true
    this.noTcp.delete(k)
    return false
  }

  private rememberNoTcp(remote: RemoteAddr): void {
    // Bounded: the peers we send large requests to are routing gateways and callers, but a flood of them must not grow this.
    if (this.noTcp.size >= 4096) this.noTcp.clear()
    this.noTcp.set(remote.address + '|' + remote.port, this.clock.now() + NO_TCP_MEMORY_MS)
    this.log.info('peer refused TCP for a large request; UDP used (RFC 3261 §18.1.1)', { remote: `${remote.address}:${remote.port}` })
  }

  /**
   * Cancels a pending INVITE (RFC 3261 §9.1): sends the CANCEL now if a provisional arrived, defers it until one does
   * while calling, and does nothing once a final arrived. Returns the CANCEL transaction when it was sent now.
   */
  cancel(invite: InviteClientTransaction, user: TransactionUser): NonInviteClientTransaction | undefined {
    if (invite.state === 'proceeding') return this.sendCancelFor(invite, user)
    // RFC 3261 §9.1: a CANCEL SHOULD NOT be sent before a provisional response was received.
    if (invite.state === 'calling') invite.cancelWanted = user
    return undefined
  }

  /** Sends a message with no transaction (ACK for 2xx, 2xx retransmissions after the IST ended). */
  sendStateless(msg: SipMessage, transport: Transport, remote: RemoteAddr, listener?: SendListener): void {
    this.c.messages.sent(msg)
    transport.send(serializeMessage(msg), remote, listener)
  }

  /** `sendStateless` of a message the caller already serialized as `wire`. */
  sendStatelessWire(msg: SipMessage, wire: Buffer, transport: Transport, remote: RemoteAddr): void {
    this.c.messages.sent(msg)
    transport.send(wire, remote)
  }

  /** Sends again the bytes of a request sent statelessly before (an ACK for a retransmitted 2xx), counted as sent like the first. */
  resendStateless(method: string, wire: Buffer, transport: Transport, remote: RemoteAddr): void {
    this.c.messages.sentRequest(method)
    transport.send(wire, remote)
  }

  private sendWantedCancel(invite: InviteClientTransaction): void {
    const user = invite.cancelWanted
    if (user === null) return
    invite.cancelWanted = null
    this.sendCancelFor(invite, user)
  }

  private sendCancelFor(invite: InviteClientTransaction, user: TransactionUser): NonInviteClientTransaction {
    const tx = this.sendRequest(buildCancel(invite.request), invite.transport, invite.remote, user)
    invite.armCancelGuard()
    return tx as NonInviteClientTransaction
  }

  // ---- TransactionContext ------------------------------------------------------------------------

  /** @internal machines call this once when they reach terminated. */
  terminated(tx: Transaction<string>): void {
    if (tx.kind === 'ict' || tx.kind === 'nict') {
      if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key)
      return
    }
    const server = this.servers.get(tx.key)
    if (server instanceof CompletedServerRequest) {
      // A NIST handed off to its record may still end early (a final that could not be sent): the record goes with it.
      if (tx.kind !== 'nist') return
      this.servers.delete(tx.key)
      this.uncount(server.sourceAddress)
      return
    }
    if (server !== tx || server instanceof AcceptedServerInvite) return
    this.servers.delete(tx.key)
    this.uncount(server.source.address)
  }

  private uncount(from: string): void {
    const n = this.serversBySource.get(from) ?? 0
    if (n <= 1) this.serversBySource.delete(from)
    else this.serversBySource.set(from, n - 1)
  }

  /**
   * @internal RFC 6026 accepted and RFC 3261 completed as records (wait-records.ts): an IST in accepted with an RFC 3261
   * key, a NIST in completed over an unreliable transport, an ICT in accepted, a NICT in completed. A waiting call
   * then keeps no machine in the tables (~120-130 bytes each).
   */
  handOff(tx: Transaction<string>, ms: number): boolean {
    const key = tx.key
    if (tx instanceof InviteServerTransaction || tx instanceof NonInviteServerTransaction) {
      if (this.servers.get(key) !== tx) return false
      if (tx instanceof InviteServerTransaction) {
        if (tx.state !== 'accepted' || isRfc2543Key(key)) return false
        this.servers.set(key, this.acceptedFrom(tx.source.address))
        this.serverWaits.add(ms, key)
        return true
      }
      const wire = tx.finalWire
      if (tx.state !== 'completed' || tx.transport.reliable || wire === null) return false
      const ref = this.waitBytes.keep(wire, ms)
      // A NIST may still end early (its final could not be sent): its queue slot names the record, not the key.
      const record = new CompletedServerRequest(key, ref < 0 ? keepBytes(wire) : ref, tx.transport, tx.remote, tx.source.address)
      this.servers.set(key, record)
      this.serverWaits.add(ms, record)
      return true
    }
    if (this.clients.get(key) !== tx) return false
    if (tx instanceof InviteClientTransaction) {
      if (tx.state !== 'accepted') return false
      this.clients.set(key, new AcceptedClientInvite(tx))
    } else if (tx instanceof NonInviteClientTransaction) {
      if (tx.state !== 'completed') return false
      this.clients.set(key, COMPLETED_CLIENT_REQUEST)
    } else return false
    this.clientWaits.add(ms, key)
    return true
  }

  /** @internal `user` takes the accepted ICT's place in the table for the rest of Timer M; the machine goes. */
  handOver(tx: Transaction<string>, user: AcceptedInviteUser): void {
    const r = this.clients.get(tx.key)
    if (!(r instanceof AcceptedClientInvite && (r.tx as unknown) === tx)) return
    this.clients.set(tx.key, user)
    user.waitBegins?.()
  }

  /** The shared record of accepted INVITE server transactions from `address` (bounded: past 4,096 sources it starts over). */
  private acceptedFrom(address: string): AcceptedServerInvite {
    let r = this.acceptedBySource.get(address)
    if (r === undefined) {
      if (this.acceptedBySource.size >= 4096) this.acceptedBySource.clear()
      r = new AcceptedServerInvite(address)
      this.acceptedBySource.set(address, r)
    }
    return r
  }

  /** Timer J or L of a record ran out: the layer forgets it. */
  private endServerWait(w: string | CompletedServerRequest): void {
    const key = typeof w === 'string' ? w : w.key
    this.waitBytes.trim()
    const r = this.servers.get(key)
    if (!(r instanceof AcceptedServerInvite || (r instanceof CompletedServerRequest && r === w))) return
    this.servers.delete(key)
    this.uncount(r.sourceAddress)
  }

  /** Timer K or M of a record ran out: the layer forgets it (an ICT not handed over ends as its machine). */
  private endClientWait(key: string): void {
    const r = this.clients.get(key)
    if (r === undefined || r instanceof InviteClientTransaction || r instanceof NonInviteClientTransaction) return
    this.clients.delete(key)
    if (r instanceof AcceptedClientInvite) r.tx.waitOver()
    else if (!(r instanceof CompletedClientRequest)) r.waitOver?.()
  }

  /** @internal machines call this for the one timer of a wait state. */
  wait(ms: number, tx: Waiter): void {
    this.waits.add(ms, tx)
  }

  /** The longest Timer M of any transaction, running or to come (what an accepted ICT's user keeps its bytes for). */
  get longestTimerM(): number {
    return this.longestM
  }

  /** Live server transactions created for requests from this source address. */
  serverTransactionsFrom(address: string): number {
    return this.serversBySource.get(address) ?? 0
  }

  /** @internal machines call this for each message they send for the first time (responses, the ACK for a non-2xx). */
  sent(msg: SipMessage): void {
    this.c.messages.sent(msg)
  }

  /** @internal */
  retransmitted(kind: 'ict' | 'nict' | 'ist' | 'nist'): void {
    this.c.retransmits.labels(kind).inc()
  }
}
