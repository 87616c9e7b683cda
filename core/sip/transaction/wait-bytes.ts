// Bytes the transaction wait states re-send (a BYE's final through Timer J, a 2xx's ACK through Timer M) kept off the V8 heap: large chunks filled in turn and reused in the order they were filled, as waits of one length end in the order they began.
import type { Clock } from '../../lib/clock.js'

const OFFSET_BITS = 18
/** 256 KiB: ~400 waiting messages per chunk. */
export const CHUNK_BYTES = 1 << OFFSET_BITS
/** Chunk ids in a reference: `id << 18 | offset` stays a small integer (below 2^30). */
const IDS = 1 << 12
/** Reads may come this long after the wait they serve ended (its timer runs late under load). */
export const READ_GRACE_MS = 2_000
/** Emptied chunks kept for reuse; past this many they go to the GC (the store shrinks when the load falls). */
const SPARE_CHUNKS = 4
/** Two bytes of length before each message. */
const MAX_MESSAGE = 0xffff

/** One chunk: its bytes, the id its references carry, how far it is filled, and when its last message's wait is over. */
class Chunk {
  readonly buf: Buffer
  readonly id: number
  used = 0
  until = 0

  constructor(buf: Buffer, id: number) {
    this.buf = buf
    this.id = id
  }
}

/**
 * Messages kept for a fixed span, each named by a small integer (a reference). A waiting transaction then holds 4 bytes
 * of heap for its message where a latin1 string held ~300, and the GC neither marks nor moves the bytes. A chunk is
 * reused once every message in it is past its span (plus `READ_GRACE_MS`); a reference read after that finds nothing
 * (`bytes` returns null), never another message's bytes.
 */
export class WaitBytes {
  private readonly clock: Clock
  private readonly chunkBytes: number
  /** The chunk holding each id, or undefined once it was reused. */
  private readonly byId: (Chunk | undefined)[] = new Array<Chunk | undefined>(IDS).fill(undefined)
  /** Filled chunks in the order they were filled, from `head`. */
  private filled: Chunk[] = []
  private head = 0
  private readonly spare: Buffer[] = []
  private current: Chunk | null = null
  private nextId = 0

  /** `chunkBytes` is for tests (at most `CHUNK_BYTES`). */
  constructor(clock: Clock, chunkBytes = CHUNK_BYTES) {
    this.clock = clock
    this.chunkBytes = Math.min(chunkBytes, CHUNK_BYTES)
  }

  /** Keeps `msg` (bytes, or a latin1 string of them) for `ms`; returns its reference, or -1 when it cannot (too large). */
  keep(msg: Buffer | string, ms: number): number {
    const len = msg.length
    if (len > MAX_MESSAGE || len + 2 > this.chunkBytes) return -1
    let c = this.current
    if (c === null || c.used + len + 2 > this.chunkBytes) {
      c = this.nextChunk()
      if (c === null) return -1
    }
    const at = c.used
    const buf = c.buf
    buf[at] = len & 0xff
    buf[at + 1] = len >>> 8
    if (typeof msg === 'string') buf.write(msg, at + 2, len, 'latin1')
    else msg.copy(buf, at + 2)
    c.used = at + 2 + len
    const until = this.clock.now() + ms + READ_GRACE_MS
    if (until > c.until) c.until = until
    return (c.id << OFFSET_BITS) | at
  }

  /** A copy of the bytes kept under `ref`, or null once their chunk was reused (or for -1). */
  bytes(ref: number): Buffer | null {
    if (ref < 0) return null
    const c = this.byId[ref >>> OFFSET_BITS]
    const at = ref & (CHUNK_BYTES - 1)
    if (c === undefined || at + 2 > c.used) return null
    const len = c.buf[at]! | (c.buf[at + 1]! << 8)
    const out = Buffer.allocUnsafe(len)
    c.buf.copy(out, 0, at + 2, at + 2 + len)
    return out
  }

  /** Chunks whose every message is past its span are reused or let go. */
  trim(): void {
    const now = this.clock.now()
    const filled = this.filled
    while (this.head < filled.length && filled[this.head]!.until <= now) {
      const c = filled[this.head]!
      filled[this.head] = undefined as unknown as Chunk
      this.head++
      this.byId[c.id] = undefined
      if (this.spare.length < SPARE_CHUNKS) this.spare.push(c.buf)
    }
    if (this.head === filled.length) {
      this.filled = []
      this.head = 0
    } else if (this.head >= 1024 && this.head * 2 >= filled.length) {
      this.filled = filled.slice(this.head)
      this.head = 0
    }
  }

  /** Chunks held, in use or spare (tests). */
  get chunks(): number {
    return this.filled.length - this.head + (this.current === null ? 0 : 1) + this.spare.length
  }

  private nextChunk(): Chunk | null {
    if (this.current !== null) this.filled.push(this.current)
    this.current = null
    this.trim()
    // Every id still names a chunk in use (a gigabyte kept): keep no more here.
    if (this.byId[this.nextId] !== undefined) return null
    const c = new Chunk(this.spare.pop() ?? Buffer.allocUnsafeSlow(this.chunkBytes), this.nextId)
    this.byId[c.id] = c
    this.nextId = (this.nextId + 1) & (IDS - 1)
    this.current = c
    return c
  }
}
