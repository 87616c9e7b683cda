// TCP and TLS transports (RFC 3261 §18): one listener plus the connections in and out, addressed by RemoteAddr; a send reuses the peer's connection or opens one, and limits keep idle, slow and greedy peers bounded.
import net from 'node:net'
import tls from 'node:tls'
import { silentLogger, type Logger } from '../lib/log.js'
import { Metrics, type CounterSeries, type Metric } from '../lib/metrics.js'
import { DEFAULT_FRAMER_LIMITS, StreamFramer, type FramerLimits, type FramingError } from './stream-framer.js'
import {
  failure,
  TransportError,
  type AddressFamily,
  type RemoteAddr,
  type SendListener,
  type Transport,
  type TransportFailure,
  type TransportUser,
} from './types.js'

/** Limits of one stream transport. */
export interface StreamLimits extends FramerLimits {
  /** Connections open at once, in and out (further accepts are closed at once; further connects fail). */
  maxConnections: number
  /** Inbound connections from one source IP. */
  maxPerSource: number
  /** A connection with no byte in either direction for this long is closed (ms). */
  idleMs: number
  /** A message (and an inbound TLS handshake) must complete this long after its first byte (ms): slow senders are cut. */
  messageMs: number
  /** An outbound connect (and TLS handshake) must succeed within this (ms). */
  connectMs: number
  /** Bytes queued for a peer that does not read before its connection is dropped. */
  maxWriteBufferBytes: number
}

/**
 * Defaults: 2,048 connections and 120 s idle as Kamailio (tcp_max_connections, tcp_connection_lifetime); 64 per
 * source IP leaves room for a carrier's SBC farm behind one address; 10 s for a message or handshake is ample on any
 * real link and short enough to shed slowloris clients.
 */
export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  ...DEFAULT_FRAMER_LIMITS,
  maxConnections: 2048,
  maxPerSource: 64,
  idleMs: 120_000,
  messageMs: 10_000,
  connectMs: 5_000,
  maxWriteBufferBytes: 1024 * 1024,
}

/** TLS material: our certificate (server, and client certificate on outbound), and how vendors' certificates are checked. */
export interface TlsMaterial {
  cert: string | Buffer
  key: string | Buffer
  /** Trusted CAs for verifying peers (default: Node's bundled roots). */
  ca?: string | Buffer
  /** Verify the certificate of peers we connect to (vendors); default false, as many trunks use self-signed ones. */
  verifyPeers?: boolean
}

/** Options for openStreamTransport. */
export interface StreamTransportOptions {
  protocol: 'TCP' | 'TLS'
  /** IP literal to listen on (a host name is resolved by node:net). */
  host: string
  /** Port to listen on; 0 picks one. */
  port: number
  user: TransportUser
  /** Required for TLS. */
  tls?: TlsMaterial
  limits?: Partial<StreamLimits>
  /** SO_REUSEPORT: every worker of a node listens on the same port (the kernel spreads connections). */
  reusePort?: boolean
  log?: Logger
  metrics?: Metrics
}

/** Why a connection was refused or closed (label of the metrics). */
type CloseReason = 'idle' | 'message-timeout' | FramingError | 'write-overflow' | 'peer' | 'error' | 'shutdown'

interface StreamCounters {
  received: CounterSeries
  keepAlives: CounterSeries
  sent: CounterSeries
  sendErrors: CounterSeries
  userErrors: CounterSeries
  connections: Metric
  refused: Metric
  closed: Metric
}

function counters(m: Metrics, label: string): StreamCounters {
  const c = (name: string, help: string): CounterSeries => m.counter(name, help, ['transport']).labels(label)
  return {
    received: c('sip_transport_received_total', 'Messages received (datagrams, or messages framed on a stream)'),
    keepAlives: c('sip_transport_keepalives_total', 'CRLF keep-alives received'),
    sent: c('sip_transport_sent_total', 'Messages handed to the kernel'),
    sendErrors: c('sip_transport_send_errors_total', 'Sends that failed'),
    userErrors: c('sip_transport_user_errors_total', 'Exceptions thrown by the layer above while handling a message (bugs)'),
    connections: m.gauge('sip_transport_connections', 'Open TCP/TLS connections', ['transport', 'direction']),
    refused: m.counter('sip_transport_connections_refused_total', 'Inbound connections closed at accept by a limit', ['transport', 'reason']),
    closed: m.counter('sip_transport_connections_closed_total', 'Connections closed, by why', ['transport', 'reason']),
  }
}

function keyOf(a: { address: string; port: number }): string {
  return a.address + '|' + a.port
}

function familyOf(address: string): AddressFamily {
  return net.isIPv6(address) ? 'IPv6' : 'IPv4'
}

/** First line of a message for error logs. */
function firstLine(buf: Buffer): string {
  const head = buf.subarray(0, Math.min(buf.length, 200)).toString('latin1')
  const eol = head.search(/\r|\n/)
  return eol === -1 ? head : head.slice(0, eol)
}

interface QueuedSend {
  buf: Buffer
  listener: SendListener | undefined
}

/** One connection, inbound (accepted) or outbound (opened by a send). */
/** How long a connection that could not be framed further stays open for answers already on their way. */
export const FRAMING_LINGER_MS = 200

class Connection {
  /** Keys under which the transport finds this connection: the peer's address, then RFC 5923 aliases. */
  readonly keys: string[]
  /** Sends waiting for an outbound connect; null once connected. */
  queue: QueuedSend[] | null
  closing = false
  reason: CloseReason = 'peer'
  readonly framer: StreamFramer
  messageTimer: NodeJS.Timeout | null = null
  messagesSeen = 0
  /** messagesSeen when the message timer was armed. */
  timedMessage = -1

  constructor(
    readonly owner: StreamTransport,
    readonly socket: net.Socket,
    readonly remote: RemoteAddr,
    readonly inbound: boolean,
  ) {
    this.keys = [keyOf(remote)]
    this.queue = inbound ? null : []
    this.framer = new StreamFramer({
      message: (buf) => {
        this.messagesSeen++
        owner.deliver(this, buf)
      },
      ping: () => owner.pong(this),
      error: (kind, head) => owner.framingError(this, kind, head),
    }, owner.limits)
  }
}

/** A TCP or TLS listener with its connections; implements Transport. Create it with openStreamTransport. */
export class StreamTransport implements Transport {
  readonly protocol: 'TCP' | 'TLS'
  readonly reliable = true
  readonly local: RemoteAddr
  /** @internal */
  readonly limits: StreamLimits
  private readonly server: net.Server
  private readonly user: TransportUser
  private readonly log: Logger
  private readonly c: StreamCounters
  private readonly label: string
  private readonly byKey = new Map<string, Connection>()
  private readonly all = new Set<Connection>()
  private readonly perSource = new Map<string, number>()
  /** Sockets counted against maxConnections (raw accepted ones, before any TLS handshake, and outbound ones). */
  private open = 0
  private inboundOpen = 0
  private outboundOpen = 0
  private tlsMaterial: TlsMaterial | undefined
  private clientContext: tls.SecureContext | undefined
  private closed = false

  /** @internal use openStreamTransport */
  constructor(protocol: 'TCP' | 'TLS', server: net.Server, opts: StreamTransportOptions, limits: StreamLimits, c: StreamCounters) {
    this.protocol = protocol
    this.server = server
    this.user = opts.user
    this.limits = limits
    this.c = c
    this.label = protocol.toLowerCase()
    const a = server.address() as net.AddressInfo
    this.local = { address: a.address, port: a.port, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' }
    this.log = (opts.log ?? silentLogger).child({ transport: this.label, local: `${a.address}:${a.port}` })
    this.tlsMaterial = opts.tls
    this.clientContext = opts.tls === undefined ? undefined : clientContextOf(opts.tls)
    server.on('connection', (raw: net.Socket) => this.admit(raw))
    if (protocol === 'TLS') {
      server.on('secureConnection', (s: tls.TLSSocket) => this.accepted(s))
      server.on('tlsClientError', (err: Error) => {
        if (this.log.enabled('debug')) this.log.debug('TLS handshake failed', { err })
      })
    }
    server.on('error', (err) => this.log.error('listener error', { err }))
  }

  /** Open connections in and out (tests and /health). */
  get connectionCount(): number {
    return this.open
  }

  /** New certificate and key (SIGHUP): later handshakes, in and out, use them; open connections keep theirs. */
  reloadTls(material: TlsMaterial): void {
    if (this.protocol !== 'TLS') throw new TransportError('reloadTls on a TCP transport')
    const server = this.server as tls.Server
    server.setSecureContext({ cert: material.cert, key: material.key, ...(material.ca === undefined ? {} : { ca: material.ca }) })
    this.tlsMaterial = material
    this.clientContext = clientContextOf(material)
  }

  send(buf: Buffer, remote: RemoteAddr, listener?: SendListener): void {
    if (this.closed) return this.failLater({ code: 'ECLOSED', message: 'transport closed', remote }, listener)
    let conn = this.byKey.get(keyOf(remote))
    if (conn === undefined || conn.closing) {
      if (this.open >= this.limits.maxConnections) {
        return this.failLater({ code: 'ECONNLIMIT', message: `${this.limits.maxConnections} connections open`, remote }, listener)
      }
      conn = this.connect(remote)
    }
    this.c.sent.inc()
    if (conn.queue !== null) {
      conn.queue.push({ buf, listener })
      return
    }
    this.write(conn, buf, listener)
  }

  hasFlow(remote: RemoteAddr): boolean {
    const conn = this.byKey.get(keyOf(remote))
    return conn !== undefined && !conn.closing
  }

  alias(flow: RemoteAddr, alias: RemoteAddr): void {
    const conn = this.byKey.get(keyOf(flow))
    if (conn === undefined || conn.closing || alias.address !== conn.remote.address) return
    const k = keyOf(alias)
    // A peer names one sent-by; a few keys per connection bound what a chatty peer can make us hold.
    if (conn.keys.includes(k) || conn.keys.length >= 4) return
    const other = this.byKey.get(k)
    if (other !== undefined && other !== conn && !other.closing) return
    conn.keys.push(k)
    this.byKey.set(k, conn)
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve()
    this.closed = true
    for (const conn of [...this.all]) this.drop(conn, 'shutdown')
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  /** @internal a framed message from `conn`, handed up behind the guard. */
  deliver(conn: Connection, buf: Buffer): void {
    this.c.received.inc()
    try {
      this.user.onMessage(buf, conn.remote, this)
    } catch (err) {
      this.c.userErrors.inc()
      this.log.error('message handler threw', { err, remote: `${conn.remote.address}:${conn.remote.port}`, line: firstLine(buf) })
    }
  }

  /** @internal RFC 5626 §3.5.1: answer a CRLFCRLF ping with a CRLF pong. */
  pong(conn: Connection): void {
    this.c.keepAlives.inc()
    if (!conn.closing && conn.queue === null) conn.socket.write('\r\n')
  }

  /** @internal the stream cannot be read further: let the layer answer what it can (400 / 513), then close. */
  framingError(conn: Connection, kind: FramingError, head: Buffer | undefined): void {
    if (head !== undefined) {
      try {
        if (kind === 'body-too-large') this.user.onOversized?.(head, conn.remote, this)
        else if (this.user.onUnframed !== undefined) this.user.onUnframed(head, conn.remote, this)
        else this.user.onMessage(head, conn.remote, this)
      } catch (err) {
        this.c.userErrors.inc()
        this.log.error('message handler threw', { err, line: firstLine(head) })
      }
    }
    if (this.log.enabled('debug')) this.log.debug('closing connection after a framing error', { kind, remote: `${conn.remote.address}:${conn.remote.port}` })
    // Nothing more is read; answers to the messages framed before the error may still be on their way from the worker
    // that owns them (docs/capacity.md), so the connection stays listed for them a moment before it ends.
    conn.socket.pause()
    if (conn.messageTimer !== null) clearTimeout(conn.messageTimer)
    conn.messageTimer = null
    setTimeout(() => this.finish(conn, kind), FRAMING_LINGER_MS).unref()
  }

  /** A raw accepted socket: counted and checked against the limits before anything is read. */
  private admit(raw: net.Socket): void {
    const source = raw.remoteAddress
    if (source === undefined || this.closed) {
      raw.destroy()
      return
    }
    const fromSource = this.perSource.get(source) ?? 0
    const refuse = this.open >= this.limits.maxConnections ? 'max-connections' : fromSource >= this.limits.maxPerSource ? 'max-per-source' : null
    if (refuse !== null) {
      this.c.refused.labels(this.label, refuse).inc()
      raw.destroy()
      return
    }
    this.open++
    this.inboundOpen++
    this.gauge()
    this.perSource.set(source, fromSource + 1)
    raw.once('close', () => {
      this.open--
      this.inboundOpen--
      this.gauge()
      const n = (this.perSource.get(source) ?? 1) - 1
      if (n <= 0) this.perSource.delete(source)
      else this.perSource.set(source, n)
    })
    // TLS: the server's handshakeTimeout (messageMs) bounds the handshake; until then the raw socket only counts.
    if (this.protocol === 'TCP') this.accepted(raw)
  }

  /** An inbound connection ready for SIP (after the TLS handshake for TLS). */
  private accepted(socket: net.Socket): void {
    const address = socket.remoteAddress
    const port = socket.remotePort
    if (address === undefined || port === undefined || this.closed) {
      socket.destroy()
      return
    }
    const remote: RemoteAddr = { address, port, family: familyOf(address) }
    const conn = new Connection(this, socket, remote, true)
    this.attach(conn)
  }

  /** Opens an outbound connection to `remote`; sends queue until it is up. */
  private connect(remote: RemoteAddr): Connection {
    let socket: net.Socket
    if (this.protocol === 'TLS') {
      const m = this.tlsMaterial
      socket = tls.connect({
        host: remote.address, port: remote.port,
        ...(this.clientContext === undefined ? {} : { secureContext: this.clientContext }),
        rejectUnauthorized: m?.verifyPeers ?? false,
        ...(net.isIP(remote.address) === 0 ? { servername: remote.address } : {}),
      })
    } else socket = net.connect({ host: remote.address, port: remote.port, family: remote.family === 'IPv6' ? 6 : 4 })
    const conn = new Connection(this, socket, remote, false)
    this.open++
    this.outboundOpen++
    this.gauge()
    socket.once('close', () => {
      this.open--
      this.outboundOpen--
      this.gauge()
    })
    const timer = setTimeout(() => {
      const err = Object.assign(new Error(`connect to ${remote.address}:${remote.port} timed out`), { code: 'ETIMEDOUT' })
      socket.destroy(err)
    }, this.limits.connectMs)
    timer.unref()
    socket.once(this.protocol === 'TLS' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer)
      const queued = conn.queue ?? []
      conn.queue = null
      for (const q of queued) this.write(conn, q.buf, q.listener)
    })
    socket.once('close', () => clearTimeout(timer))
    this.attach(conn)
    return conn
  }

  /** Registers `conn` and wires its socket: reads into the framer, idle timeout, errors, close. */
  private attach(conn: Connection): void {
    const socket = conn.socket
    const k = conn.keys[0]!
    const previous = this.byKey.get(k)
    // The newest connection from or to an address wins; the older one stays open until it ends by itself.
    if (previous !== undefined && previous !== conn) previous.keys.splice(previous.keys.indexOf(k), 1)
    this.byKey.set(k, conn)
    this.all.add(conn)
    socket.setNoDelay(true)
    socket.setKeepAlive(true, 30_000)
    socket.setTimeout(this.limits.idleMs, () => this.drop(conn, 'idle'))
    socket.on('data', (chunk: Buffer) => {
      conn.framer.push(chunk)
      if (!conn.framer.broken) this.armMessageTimer(conn)
    })
    socket.on('error', (err) => {
      if (conn.reason === 'peer') conn.reason = 'error'
      this.failQueued(conn, err)
      if (this.log.enabled('debug')) this.log.debug('connection error', { err, remote: `${conn.remote.address}:${conn.remote.port}` })
    })
    socket.on('end', () => this.finish(conn, 'peer'))
    socket.once('close', () => this.forget(conn))
  }

  /** Keeps a timer while a message is incomplete: a sender that dribbles bytes is cut after messageMs. */
  private armMessageTimer(conn: Connection): void {
    if (conn.framer.pending === 0) {
      if (conn.messageTimer !== null) clearTimeout(conn.messageTimer)
      conn.messageTimer = null
      return
    }
    // A whole message since the timer started is progress: the new partial message gets a full period of its own.
    if (conn.messageTimer !== null && conn.timedMessage === conn.messagesSeen) return
    if (conn.messageTimer !== null) clearTimeout(conn.messageTimer)
    conn.timedMessage = conn.messagesSeen
    conn.messageTimer = setTimeout(() => {
      conn.messageTimer = null
      if (conn.framer.pending > 0) this.drop(conn, 'message-timeout')
    }, this.limits.messageMs)
    conn.messageTimer.unref()
  }

  private write(conn: Connection, buf: Buffer, listener: SendListener | undefined): void {
    const socket = conn.socket
    if (conn.closing || socket.destroyed) return this.failLater({ code: 'ECLOSED', message: 'connection closed', remote: conn.remote }, listener)
    if (listener === undefined) socket.write(buf)
    else {
      socket.write(buf, (err) => {
        if (err === null || err === undefined) return
        this.c.sendErrors.inc()
        listener.onSendError(failure(err, conn.remote))
      })
    }
    if (socket.writableLength > this.limits.maxWriteBufferBytes) this.drop(conn, 'write-overflow')
  }

  private failQueued(conn: Connection, err: unknown): void {
    const queued = conn.queue
    if (queued === null || queued.length === 0) return
    conn.queue = []
    for (const q of queued) {
      this.c.sendErrors.inc()
      if (q.listener !== undefined) q.listener.onSendError(failure(err, conn.remote))
    }
  }

  /** Closes gracefully: queued writes (a 400 just sent) still go out, nothing more is read or sent. */
  private finish(conn: Connection, reason: CloseReason): void {
    if (conn.closing) return
    conn.closing = true
    conn.reason = reason
    this.unlist(conn)
    conn.socket.end()
    // A peer that never reads must not keep the socket: destroy it if the end does not complete soon.
    setTimeout(() => conn.socket.destroy(), 2_000).unref()
  }

  /** Closes now. */
  private drop(conn: Connection, reason: CloseReason): void {
    if (!conn.closing) {
      conn.closing = true
      conn.reason = reason
      this.unlist(conn)
    }
    conn.socket.destroy()
  }

  private unlist(conn: Connection): void {
    for (const k of conn.keys) if (this.byKey.get(k) === conn) this.byKey.delete(k)
    if (conn.messageTimer !== null) {
      clearTimeout(conn.messageTimer)
      conn.messageTimer = null
    }
  }

  private forget(conn: Connection): void {
    if (!this.all.delete(conn)) return
    this.unlist(conn)
    this.failQueued(conn, Object.assign(new Error('connection closed'), { code: 'ECLOSED' }))
    this.c.closed.labels(this.label, conn.reason).inc()
  }

  private gauge(): void {
    this.c.connections.set(this.inboundOpen, this.label, 'in')
    this.c.connections.set(this.outboundOpen, this.label, 'out')
  }

  private failLater(f: TransportFailure, listener: SendListener | undefined): void {
    this.c.sendErrors.inc()
    if (listener !== undefined) queueMicrotask(() => listener.onSendError(f))
  }
}

function clientContextOf(m: TlsMaterial): tls.SecureContext {
  return tls.createSecureContext({ cert: m.cert, key: m.key, ...(m.ca === undefined ? {} : { ca: m.ca }) })
}

/** Listens for SIP over TCP or TLS and returns the transport once listening. */
export function openStreamTransport(opts: StreamTransportOptions): Promise<StreamTransport> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new TransportError(`bad ${opts.protocol} port ${opts.port}`)
  if (opts.protocol === 'TLS' && opts.tls === undefined) throw new TransportError('TLS needs a certificate and key')
  const limits: StreamLimits = { ...DEFAULT_STREAM_LIMITS, ...opts.limits }
  const server = opts.protocol === 'TLS'
    ? tls.createServer({ cert: opts.tls!.cert, key: opts.tls!.key, ...(opts.tls!.ca === undefined ? {} : { ca: opts.tls!.ca }), handshakeTimeout: limits.messageMs })
    : net.createServer()
  // Below every per-source check, a hard ceiling the kernel enforces too.
  server.maxConnections = limits.maxConnections
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(new TransportError(`cannot listen on ${opts.protocol} ${opts.host}:${opts.port}`, { cause: err }))
    server.once('error', onError)
    server.listen({ host: opts.host, port: opts.port, ipv6Only: net.isIPv6(opts.host), backlog: 511, reusePort: opts.reusePort ?? false }, () => {
      server.off('error', onError)
      resolve(new StreamTransport(opts.protocol, server, opts, limits, counters(opts.metrics ?? new Metrics(), opts.protocol.toLowerCase())))
    })
  })
}
