// UDP transport on node:dgram: one guarded receive path (no datagram or user bug can crash the node), sends straight to Node's UDP handle that report failures as values.
import dgram from 'node:dgram'
import dns from 'node:dns'
import { isIP, isIPv6 } from 'node:net'
import { constants } from 'node:os'
import { getSystemErrorName } from 'node:util'
import { silentLogger, type Logger } from '../lib/log.js'
import { Metrics, type CounterSeries } from '../lib/metrics.js'
import {
  failure,
  isKeepAlive,
  TransportError,
  type AddressFamily,
  type RemoteAddr,
  type SendListener,
  type Transport,
  type TransportFailure,
  type TransportUser,
} from './types.js'

/** Options for openUdpTransport. */
export interface UdpTransportOptions {
  /** IP literal or hostname to bind ('0.0.0.0', '::', '127.0.0.1', 'fly-global-services'). */
  host: string
  /** Port to bind; 0 picks an ephemeral port. */
  port: number
  user: TransportUser
  /** Family for a hostname `host` (IP literals decide for themselves); default IPv4. */
  family?: AddressFamily
  /** SO_RCVBUF request in bytes (default 8 MiB; the kernel caps it at net.core.rmem_max). */
  recvBufferBytes?: number
  /** SO_SNDBUF request in bytes (default 4 MiB). */
  sendBufferBytes?: number
  /** SO_REUSEPORT: every worker of a node binds the same port (the kernel spreads datagrams by source address). */
  reusePort?: boolean
  log?: Logger
  metrics?: Metrics
}

const EINVAL = constants.errno.EINVAL
const DEFAULT_RCVBUF = 8 * 1024 * 1024
const DEFAULT_SNDBUF = 4 * 1024 * 1024

/** Counters shared by every UDP socket of one registry. */
interface UdpCounters {
  received: CounterSeries
  keepAlives: CounterSeries
  sent: CounterSeries
  sendErrors: CounterSeries
  userErrors: CounterSeries
  socketErrors: CounterSeries
}

function counters(m: Metrics): UdpCounters {
  const c = (name: string, help: string): CounterSeries => m.counter(name, help, ['transport']).labels('udp')
  return {
    received: c('sip_transport_received_total', 'Datagrams received'),
    keepAlives: c('sip_transport_keepalives_total', 'CRLF keep-alive datagrams dropped'),
    sent: c('sip_transport_sent_total', 'Datagrams handed to the kernel'),
    sendErrors: c('sip_transport_send_errors_total', 'Sends that failed'),
    userErrors: c('sip_transport_user_errors_total', 'Exceptions thrown by the layer above while handling a datagram (bugs)'),
    socketErrors: c('sip_transport_socket_errors_total', 'Socket-level error events'),
  }
}

/** First line and Call-ID of a datagram for error logs (error path only, never the hot path). */
function describeDatagram(buf: Buffer): { line: string; callId: string | undefined } {
  const head = buf.subarray(0, Math.min(buf.length, 4096)).toString('latin1')
  const eol = head.indexOf('\r')
  const m = /\r?\n(?:call-id|i)[ \t]*:[ \t]*([^\r\n]*)/i.exec(head)
  return { line: head.slice(0, Math.min(eol < 0 ? head.length : eol, 120)), callId: m?.[1]?.trim() }
}

/**
 * dgram resolves every destination, IP literals included, through dns.lookup, which answers on the next tick: one
 * closure and one tick per datagram before the send. Our destinations are always IP literals (RemoteAddr), so they
 * are answered at once; a host name still goes to dns.lookup.
 */
function literalLookup(hostname: string, options: dns.LookupOneOptions | number, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const family = isIP(hostname)
  if (family !== 0) return callback(null, hostname, family)
  dns.lookup(hostname, typeof options === 'number' ? { family: options } : options, callback)
}

/** Node's UDP handle under a dgram socket (udp_wrap.cc's `UDP`): `send` answers msg_size + 1 when the kernel took the datagram at once, 0 when libuv queued it (then `req.oncomplete(status)`), or a negative errno. */
interface UdpHandle {
  send(req: SendReq, list: Buffer[], count: number, port: number, ip: string, hasCallback: boolean): number
}

/** A send request (udp_wrap.cc's `SendWrap`); a queued one keeps the bytes alive and is told how it ended. */
interface SendReq {
  list: Buffer[] | undefined
  oncomplete: ((this: SendReq, status: number) => void) | undefined
  remote: RemoteAddr | undefined
  listener: SendListener | undefined
  transport: UdpTransport | undefined
}

/** What a direct send needs of Node's internals: the socket's handle and the request class. */
interface DirectSend {
  handle: UdpHandle
  SendWrap: new () => SendReq
}

/**
 * `socket.send` hands every datagram through a closure (after the address lookup), and with a callback a tick per
 * send even when the kernel took it at once; without a callback dgram drops every send error. Node's handle reports
 * both outcomes itself, so sends go to it when this Node exposes it (null: they go through `socket.send`).
 */
function directSend(socket: dgram.Socket): DirectSend | null {
  try {
    const binding = (process as unknown as { binding(name: string): { UDP?: Function; SendWrap?: new () => SendReq } }).binding('udp_wrap')
    const { UDP, SendWrap } = binding
    if (typeof UDP !== 'function' || typeof SendWrap !== 'function') return null
    for (const sym of Object.getOwnPropertySymbols(socket)) {
      const handle = (socket as unknown as Record<symbol, { handle?: unknown } | undefined>)[sym]?.handle
      if (handle instanceof UDP && typeof (handle as Partial<UdpHandle>).send === 'function') return { handle: handle as UdpHandle, SendWrap }
    }
  } catch {
    // Node without process.binding or udp_wrap: sends go through socket.send.
  }
  return null
}

/** A queued send finished (libuv took it later, the socket's buffer being full at first); count its failure. */
function onQueuedSend(this: SendReq, status: number): void {
  if (status < 0) this.transport!.sendFailed(status, this.remote!, this.listener)
}

/** A bound UDP socket implementing Transport; create it with openUdpTransport. */
export class UdpTransport implements Transport {
  readonly protocol = 'UDP' as const
  readonly reliable = false
  readonly local: RemoteAddr
  private readonly socket: dgram.Socket
  private readonly user: TransportUser
  private readonly log: Logger
  private readonly c: UdpCounters
  private readonly direct: DirectSend | null
  private closed = false
  private readonly onSent = (err: Error | null): void => {
    if (err !== null) this.c.sendErrors.inc()
  }

  /** @internal use openUdpTransport */
  constructor(socket: dgram.Socket, user: TransportUser, log: Logger, c: UdpCounters) {
    this.socket = socket
    this.direct = directSend(socket)
    this.user = user
    this.c = c
    const a = socket.address()
    this.local = { address: a.address, port: a.port, family: a.family === 'IPv6' ? 'IPv6' : 'IPv4' }
    this.log = log.child({ transport: 'udp', local: `${a.address}:${a.port}` })
    socket.on('message', (buf, rinfo) => this.receive(buf, rinfo as RemoteAddr))
    socket.on('error', (err) => {
      this.c.socketErrors.inc()
      this.log.error('udp socket error', { err })
    })
  }

  /** Kernel buffer sizes actually granted (bytes). */
  get bufferSizes(): { recv: number; send: number } {
    return { recv: this.socket.getRecvBufferSize(), send: this.socket.getSendBufferSize() }
  }

  send(buf: Buffer, remote: RemoteAddr, listener?: SendListener): void {
    if (this.closed) return this.failLater({ code: 'ECLOSED', message: 'transport closed', remote }, listener)
    if (remote.family !== this.local.family) {
      return this.failLater({ code: 'EAFNOSUPPORT', message: `${remote.family} peer on ${this.local.family} socket`, remote }, listener)
    }
    this.c.sent.inc()
    const d = this.direct
    if (d !== null && remote.port === (remote.port & 0xffff) && remote.port !== 0) {
      const req = new d.SendWrap()
      const list = [buf]
      const r = d.handle.send(req, list, 1, remote.port, remote.address, true)
      if (r > 0) return
      if (r === 0) {
        // Queued: the request keeps the bytes and hears how it ended.
        req.list = list
        req.oncomplete = onQueuedSend
        req.remote = remote
        req.listener = listener
        req.transport = this
        return
      }
      // The handle takes IP literals only: a host name goes through dgram's lookup below.
      if (r !== -EINVAL) return this.sendFailed(r, remote, listener)
    }
    try {
      if (listener === undefined) {
        this.socket.send(buf, remote.port, remote.address, this.onSent)
      } else {
        this.socket.send(buf, remote.port, remote.address, (err) => {
          if (err === null) return
          this.c.sendErrors.inc()
          listener.onSendError(failure(err, remote))
        })
      }
    } catch (err) {
      // dgram throws synchronously for bad ports and a socket closed underneath us; report it like any other failure.
      this.failLater(failure(err, remote), listener)
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve()
    this.closed = true
    return new Promise((resolve) => this.socket.close(() => resolve()))
  }

  /** @internal a send the handle refused (negative errno), at once or once queued. */
  sendFailed(errno: number, remote: RemoteAddr, listener: SendListener | undefined): void {
    const code = getSystemErrorName(errno)
    const err = Object.assign(new Error(`send ${code} ${remote.address}:${remote.port}`), { errno, code, syscall: 'send', address: remote.address, port: remote.port })
    this.failLater(failure(err, remote), listener)
  }

  private failLater(f: TransportFailure, listener: SendListener | undefined): void {
    this.c.sendErrors.inc()
    if (listener !== undefined) queueMicrotask(() => listener.onSendError(f))
  }

  private receive(buf: Buffer, remote: RemoteAddr): void {
    this.c.received.inc()
    if (isKeepAlive(buf)) {
      this.c.keepAlives.inc()
      return
    }
    try {
      this.user.onMessage(buf, remote, this)
    } catch (err) {
      this.c.userErrors.inc()
      this.log.error('datagram handler threw', { err, remote: `${remote.address}:${remote.port}`, ...describeDatagram(buf) })
    }
  }
}

/** Binds a UDP socket (IPv4 or IPv6-only) with large kernel buffers and returns it once listening. */
export function openUdpTransport(opts: UdpTransportOptions): Promise<UdpTransport> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new TransportError(`bad UDP port ${opts.port}`)
  const v6 = isIPv6(opts.host) || (opts.family === 'IPv6' && !opts.host.includes('.'))
  const log = opts.log ?? silentLogger
  const socket = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6, reuseAddr: false, reusePort: opts.reusePort ?? false, lookup: literalLookup })
  return new Promise((resolve, reject) => {
    const onBindError = (err: Error): void => {
      socket.close()
      reject(new TransportError(`cannot bind UDP ${opts.host}:${opts.port}`, { cause: err }))
    }
    socket.once('error', onBindError)
    socket.bind(opts.port, opts.host, () => {
      socket.off('error', onBindError)
      for (const [set, bytes, what] of [
        [(n: number) => socket.setRecvBufferSize(n), opts.recvBufferBytes ?? DEFAULT_RCVBUF, 'SO_RCVBUF'],
        [(n: number) => socket.setSendBufferSize(n), opts.sendBufferBytes ?? DEFAULT_SNDBUF, 'SO_SNDBUF'],
      ] as const) {
        try {
          set(bytes)
        } catch (err) {
          log.warn('cannot set UDP socket buffer', { option: what, bytes, err })
        }
      }
      resolve(new UdpTransport(socket, opts.user, log, counters(opts.metrics ?? new Metrics())))
    })
  })
}
