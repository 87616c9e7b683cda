// Frames between the workers of one node over Unix stream sockets: a SIP message handed to the worker that owns it, or bytes to send over a connection another worker holds; batched per event-loop turn.
import { mkdirSync, rmSync } from 'node:fs'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { silentLogger, type Logger } from '../lib/log.js'
import { Metrics, type CounterSeries } from '../lib/metrics.js'
import type { AddressFamily, RemoteAddr, TransportProtocol } from './types.js'

/** What a frame asks of the worker it reaches. */
export type MeshFrameKind = 'deliver' | 'send'

/** One frame: a message received from `remote` over `protocol` for its owner (`deliver`), or bytes the holder of the connection to `remote` must send (`send`). */
export interface MeshFrame {
  readonly kind: MeshFrameKind
  readonly protocol: TransportProtocol
  readonly remote: RemoteAddr
  /** The worker that sent the frame. */
  readonly from: number
  readonly bytes: Buffer
}

/** Options of one worker's end of the mesh. */
export interface MeshOptions {
  /** Folder of the sockets (private to the node's user); `w<index>.sock` each. */
  dir: string
  self: number
  onFrame(frame: MeshFrame): void
  log?: Logger
  metrics?: Metrics
  /** The busy link's write span (default BATCH_MS); 0 writes at the end of every turn. */
  batchMs?: number
}

const KIND: Record<MeshFrameKind, number> = { deliver: 1, send: 2 }
const KINDS: readonly MeshFrameKind[] = ['deliver', 'deliver', 'send']
const PROTOCOL: Record<TransportProtocol, number> = { UDP: 0, TCP: 1, TLS: 2 }
const PROTOCOLS: readonly TransportProtocol[] = ['UDP', 'TCP', 'TLS']
/** Length prefix, kind, protocol, family, from, port (2), address length. */
const HEAD = 4 + 1 + 1 + 1 + 1 + 2 + 1
/** Frames queued for a peer that is not reachable are dropped beyond this many bytes (UDP semantics: the sender retransmits). */
const MAX_QUEUED_BYTES = 8 << 20
/** A frame larger than this is refused (a SIP message over TCP is capped far below). */
const MAX_FRAME = 1 << 20
/**
 * A link that wrote less than this long ago holds its next frames until this long after that write (one timer), so a
 * busy link writes, and wakes its peer, at most once per this span, while a link idle for longer writes at the end of
 * the turn. Each write to a peer asleep costs both workers tens of µs of kernel time (the wake-up), against a few µs
 * per frame (mesh.bench.ts, docs/capacity.md); SIP's retransmission timers start at 500 ms.
 */
export const BATCH_MS = 1
/** How many recent frames' sender addresses are kept for reuse. */
const RECENT_REMOTES = 4
/** After a failed connect, frames for that peer are dropped this long before trying again. */
const RECONNECT_MS = 100

/** The socket path of worker `index` in `dir`. */
export function meshSocketPath(dir: string, index: number): string {
  return join(dir, `w${index}.sock`)
}

/** One encoded frame. */
function encode(kind: MeshFrameKind, protocol: TransportProtocol, remote: RemoteAddr, from: number, bytes: Buffer): Buffer {
  const addr = remote.address
  const alen = addr.length
  const out = Buffer.allocUnsafe(HEAD + alen + bytes.length)
  const len = out.length - 4
  out[0] = len
  out[1] = len >>> 8
  out[2] = len >>> 16
  out[3] = len >>> 24
  out[4] = KIND[kind]
  out[5] = PROTOCOL[protocol]
  out[6] = remote.family === 'IPv6' ? 6 : 4
  out[7] = from
  out[8] = remote.port
  out[9] = remote.port >>> 8
  out[10] = alen
  // Byte by byte: an address is at most 45 ASCII characters, where Buffer#write validates and dispatches per call.
  for (let i = 0; i < alen; i++) out[HEAD + i] = addr.charCodeAt(i)
  bytes.copy(out, HEAD + alen)
  return out
}

/** Frames waiting for one peer: written together once per event-loop turn, or once per BATCH_MS while the link is busy. */
interface Outbox {
  socket: Socket | null
  connecting: boolean
  retryAtMs: number
  queue: Buffer[]
  bytes: number
  /** A flush of this box is due (this turn, or when `timer` fires). */
  due: boolean
  /** When the last write to the peer left (performance.now()). */
  lastWriteMs: number
  /** Re-armed with refresh(): one Timeout per peer, never one per batch. */
  timer: NodeJS.Timeout | null
}

interface MeshCounters {
  sent: CounterSeries
  bytes: CounterSeries
  writes: CounterSeries
  received: CounterSeries
  dropped: CounterSeries
}

/** One worker's end: a listening socket for frames from its peers and one outgoing connection per peer, opened on first use. */
export class Mesh {
  private readonly outboxes = new Map<number, Outbox>()
  private readonly inbound = new Set<Socket>()
  /** Boxes due at the end of this turn. */
  private readonly dueNow: Outbox[] = []
  private immediate: NodeJS.Immediate | null = null
  readonly batchMs: number
  private closed = false
  private readonly log: Logger
  private readonly c: MeshCounters
  /** Senders of recent frames: frames from the same few peers (gateways) reuse their address instead of a string and an object each. */
  private readonly recentRemotes: RemoteAddr[] = []
  private nextRecent = 0

  private constructor(
    private readonly opts: MeshOptions,
    private readonly server: Server,
  ) {
    this.log = opts.log ?? silentLogger
    this.batchMs = opts.batchMs ?? BATCH_MS
    const m = opts.metrics ?? new Metrics()
    const c = (name: string, help: string): CounterSeries => m.counter(name, help).labels()
    this.c = {
      sent: c('worker_mesh_frames_sent_total', 'Messages handed to another worker of this node (to their owner, or to the holder of a connection)'),
      bytes: c('worker_mesh_bytes_sent_total', 'Bytes of the messages handed to another worker of this node (framing not counted)'),
      writes: c('worker_mesh_writes_total', 'Writes to the sockets of the mesh (each carries the frames of one batch for one worker)'),
      received: c('worker_mesh_frames_received_total', 'Messages another worker of this node handed to this one'),
      dropped: c('worker_mesh_frames_dropped_total', 'Frames for a worker that was not reachable (restarting): dropped, the peer retransmits'),
    }
  }

  /** Listens on `w<self>.sock` in `dir` (created private when missing). */
  static async listen(opts: MeshOptions): Promise<Mesh> {
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 })
    // A worker killed with kill -9 leaves its socket file behind; the worker started in its place binds it anew.
    rmSync(meshSocketPath(opts.dir, opts.self), { force: true })
    const server = createServer()
    const mesh = new Mesh(opts, server)
    server.on('connection', (s) => mesh.accept(s))
    await new Promise<void>((ok, fail) => {
      server.once('error', fail)
      server.listen(meshSocketPath(opts.dir, opts.self), () => {
        server.off('error', fail)
        ok()
      })
    })
    server.on('error', (err) => mesh.log.error('mesh listener error', { err }))
    return mesh
  }

  /** Queues a frame for worker `to`; frames of one turn leave in one write. Never throws. */
  send(to: number, kind: MeshFrameKind, protocol: TransportProtocol, remote: RemoteAddr, bytes: Buffer): void {
    if (this.closed) return
    let box = this.outboxes.get(to)
    if (box === undefined) {
      box = { socket: null, connecting: false, retryAtMs: 0, queue: [], bytes: 0, due: false, lastWriteMs: -Infinity, timer: null }
      this.outboxes.set(to, box)
    }
    if (box.socket === null && !box.connecting) {
      if (Date.now() < box.retryAtMs) {
        this.c.dropped.inc()
        return
      }
      this.connect(to, box)
    }
    if (box.bytes > MAX_QUEUED_BYTES) {
      this.c.dropped.inc()
      return
    }
    const frame = encode(kind, protocol, remote, this.opts.self, bytes)
    box.queue.push(frame)
    box.bytes += frame.length
    this.c.sent.inc()
    this.c.bytes.inc(bytes.length)
    if (!box.due) this.schedule(box)
  }

  /** Flushes `box` at the end of this turn, or BATCH_MS after its last write when that is later. */
  private schedule(box: Outbox): void {
    box.due = true
    if (this.batchMs > 0 && performance.now() - box.lastWriteMs < this.batchMs) {
      if (box.timer === null) box.timer = setTimeout(() => this.flushBox(box), this.batchMs)
      else box.timer.refresh()
      return
    }
    this.dueNow.push(box)
    this.immediate ??= setImmediate(() => this.flush())
  }

  /** Stops listening and closes every connection. */
  close(): Promise<void> {
    this.closed = true
    if (this.immediate !== null) clearImmediate(this.immediate)
    for (const box of this.outboxes.values()) {
      if (box.timer !== null) clearTimeout(box.timer)
      box.socket?.destroy()
    }
    for (const s of this.inbound) s.destroy()
    return new Promise((ok) => this.server.close(() => ok()))
  }

  private connect(to: number, box: Outbox): void {
    box.connecting = true
    const socket = createConnection(meshSocketPath(this.opts.dir, to))
    socket.setNoDelay?.(true)
    socket.once('connect', () => {
      box.connecting = false
      box.socket = socket
      this.flushBox(box)
    })
    const lost = (): void => {
      if (box.socket === socket || box.connecting) {
        box.socket = null
        box.connecting = false
        box.retryAtMs = Date.now() + RECONNECT_MS
        if (box.queue.length > 0) this.c.dropped.inc(box.queue.length)
        box.queue = []
        box.bytes = 0
      }
    }
    socket.on('error', (err) => {
      if (!this.closed) this.log.debug('mesh connection failed', { to, err })
      lost()
    })
    socket.on('close', lost)
    // Peers never answer on this connection; anything read is ignored.
    socket.on('data', () => {})
  }

  private flush(): void {
    this.immediate = null
    for (const box of this.dueNow) this.flushBox(box)
    this.dueNow.length = 0
  }

  private flushBox(box: Outbox): void {
    // A box not connected yet keeps `due` false: its connect flushes it.
    box.due = false
    if (box.queue.length === 0 || box.socket === null) return
    box.lastWriteMs = performance.now()
    const data = box.queue.length === 1 ? box.queue[0]! : Buffer.concat(box.queue, box.bytes)
    box.queue = []
    box.bytes = 0
    box.socket.write(data)
    this.c.writes.inc()
  }

  private accept(socket: Socket): void {
    this.inbound.add(socket)
    let pending: Buffer | null = null
    socket.on('data', (chunk: Buffer) => {
      const buf = pending === null ? chunk : Buffer.concat([pending, chunk])
      pending = null
      let at = 0
      while (buf.length - at >= 4) {
        const len = (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16)) + buf[at + 3]! * 0x1000000
        if (len < HEAD - 4 || len > MAX_FRAME) {
          this.log.error('mesh frame of impossible length; connection closed', { len })
          socket.destroy()
          return
        }
        if (buf.length - at - 4 < len) break
        // A read that is exactly one frame (Node sizes each read's buffer to what was read) is handed over as it is.
        this.deliver(buf, at, at + 4 + len, at === 0 && 4 + len === buf.length)
        at += 4 + len
      }
      // The rest of a frame waits as a view: the next read copies it once, into the concatenation.
      if (at < buf.length) pending = buf.subarray(at)
    })
    socket.on('error', () => {})
    socket.on('close', () => this.inbound.delete(socket))
  }

  /** The frame's sender address: a recent one again when its bytes match, else decoded (and kept in place of the oldest). */
  private remoteOf(buf: Buffer, start: number, alen: number): RemoteAddr {
    const family: AddressFamily = buf[start + 6] === 6 ? 'IPv6' : 'IPv4'
    const port = buf[start + 8]! | (buf[start + 9]! << 8)
    const at = start + HEAD
    const recent = this.recentRemotes
    for (let r = 0; r < recent.length; r++) {
      const known = recent[r]!
      const addr = known.address
      if (known.port !== port || known.family !== family || addr.length !== alen) continue
      let i = 0
      while (i < alen && buf[at + i] === addr.charCodeAt(i)) i++
      if (i === alen) return known
    }
    const remote: RemoteAddr = { address: buf.toString('latin1', at, at + alen), port, family }
    recent[this.nextRecent] = remote
    this.nextRecent = (this.nextRecent + 1) % RECENT_REMOTES
    return remote
  }

  private deliver(buf: Buffer, start: number, end: number, whole: boolean): void {
    const kind = KINDS[buf[start + 4]!]
    const protocol = PROTOCOLS[buf[start + 5]!]
    if (kind === undefined || protocol === undefined) return
    const from = buf[start + 7]!
    const alen = buf[start + 10]!
    const remote = this.remoteOf(buf, start, alen)
    // Else a copy: the message may be kept for a whole call, and must not hold the other frames of the read with it.
    let bytes: Buffer
    if (whole) bytes = buf.subarray(start + HEAD + alen, end)
    else {
      bytes = Buffer.allocUnsafeSlow(end - start - HEAD - alen)
      buf.copy(bytes, 0, start + HEAD + alen, end)
    }
    this.c.received.inc()
    try {
      this.opts.onFrame({ kind, protocol, remote, from, bytes })
    } catch (err) {
      this.log.error('mesh frame handler threw', { err, kind, from })
    }
  }
}
