// The transport contract: bytes in and out addressed by RemoteAddr; connections of TCP and TLS stay below it (a send finds or opens one).

/** Address family as node:dgram reports it. */
export type AddressFamily = 'IPv4' | 'IPv6'

/** A peer (or local) socket address; upper layers address every message by this plus the Transport. */
export interface RemoteAddr {
  readonly address: string
  readonly port: number
  readonly family: AddressFamily
}

/** SIP transport token as written in Via (RFC 3261 §18). */
export type TransportProtocol = 'UDP' | 'TCP' | 'TLS'

/** A send that failed; delivered as a value, never thrown. */
export interface TransportFailure {
  /** errno-style code: 'EMSGSIZE', 'ECONNREFUSED', 'ECLOSED', 'EUNREACHABLE', ... */
  readonly code: string
  readonly message: string
  readonly remote: RemoteAddr
  readonly cause?: unknown
}

/** A socket error as a TransportFailure value (errno code when it has one, else ESEND). */
export function failure(err: unknown, remote: RemoteAddr): TransportFailure {
  const e = err as { code?: unknown; message?: unknown }
  return { code: typeof e?.code === 'string' ? e.code : 'ESEND', message: typeof e?.message === 'string' ? e.message : String(err), remote, cause: err }
}

/** Receives the outcome of one send; only failures are reported (success is silent). */
export interface SendListener {
  onSendError(failure: TransportFailure): void
}

/** The layer above a transport (the transaction layer); must not throw, but the transport guards it anyway. */
export interface TransportUser {
  onMessage(buf: Buffer, remote: RemoteAddr, transport: Transport): void
  /** Stream transports: a message head whose Content-Length exceeds the body limit (answer 513); the connection then closes. */
  onOversized?(head: Buffer, remote: RemoteAddr, transport: Transport): void
  /**
   * Stream transports: the head of a message the stream could not frame (no or conflicting Content-Length), answered
   * before the connection closes, so it must be answered here and now (400), never handed elsewhere. Else onMessage.
   */
  onUnframed?(head: Buffer, remote: RemoteAddr, transport: Transport): void
}

/** One bound transport (a UDP socket, a loop endpoint, a TCP or TLS listener with its connections). */
export interface Transport {
  readonly protocol: TransportProtocol
  /** Reliable transports (TCP/TLS) disable the retransmit timers A/E/G and zero D/I/J/K (RFC 3261 §17). */
  readonly reliable: boolean
  /** Bound local address (port resolved after binding to 0). */
  readonly local: RemoteAddr
  /** Queues `buf` for `remote`; failures go to `listener` asynchronously, never thrown and never synchronous. */
  send(buf: Buffer, remote: RemoteAddr, listener?: SendListener): void
  /** Stops receiving and releases the socket; later sends fail with ECLOSED. */
  close(): Promise<void>
  /** Connection-oriented transports: whether a live connection to or from `remote` exists (RFC 3261 §18.3 reuse). */
  hasFlow?(remote: RemoteAddr): boolean
  /**
   * Connection-oriented transports: the peer behind the connection from `flow` offered RFC 5923 `alias` for its Via
   * sent-by `alias`: requests to that address may reuse the connection. Ignored unless both name the same host.
   */
  alias?(flow: RemoteAddr, alias: RemoteAddr): void
}

/** Thrown when our own code misuses a transport (bad bind options, setting a user twice). */
export class TransportError extends Error {
  override name = 'TransportError'
}

/** True for the two SIP keep-alive forms (RFC 5626 §3.5.1 "\r\n\r\n" ping, single "\r\n" pong) and empty datagrams. */
export function isKeepAlive(buf: Buffer): boolean {
  if (buf.length > 4) return false
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]
    if (c !== 13 && c !== 10 && c !== 32 && c !== 0) return false
  }
  return true
}

/** The node's transports by protocol (UDP always; TCP and TLS when listening). */
export interface TransportLookup {
  get(protocol: TransportProtocol): Transport | undefined
}

/** A lookup with no transports (layers built without any, as in unit tests). */
export const NO_TRANSPORTS: TransportLookup = { get: () => undefined }

/** The transports of one node, found by the Via token of a protocol. */
export class TransportSet implements TransportLookup {
  private readonly byProtocol = new Map<TransportProtocol, Transport>()

  constructor(transports: readonly Transport[]) {
    for (const t of transports) {
      if (this.byProtocol.has(t.protocol)) throw new TransportError(`two ${t.protocol} transports`)
      this.byProtocol.set(t.protocol, t)
    }
  }

  get(protocol: TransportProtocol): Transport | undefined {
    return this.byProtocol.get(protocol)
  }

  /** Every transport (closing them at shutdown). */
  get all(): Transport[] {
    return [...this.byProtocol.values()]
  }
}
