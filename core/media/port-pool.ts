// RTP/RTCP port-pair allocator over RTP_PORT_MIN..RTP_PORT_MAX: even RTP port, RTCP on the next odd one (RFC 3550 §11), O(1) allocate and free, least recently freed first.

/** Thrown when our own code frees a pair it does not hold (a double free is a bug, not an outcome). */
export class PortPoolError extends Error {
  override name = 'PortPoolError'
}

/**
 * A fixed set of even ports in a FIFO ring; exhaustion is a `null` value, not an exception. A freed pair goes to the
 * back, so a port is reused as late as possible: late packets of an ended call do not land in the next one, and a port
 * some other process holds (bind fails) does not come straight back to the next call.
 */
export class PortPool {
  /** Free even RTP ports as a ring: `count` entries from `head`. */
  private readonly free: Uint16Array
  private head = 0
  private count: number
  /** 1 when the pair starting at `index * 2 + first` is allocated. */
  private readonly used: Uint8Array
  private readonly first: number
  /** Number of pairs in the range. */
  readonly capacity: number

  /** `min`/`max` inclusive; the first pair starts at the first even port >= min and ends at or below max. */
  constructor(min: number, max: number) {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) throw new PortPoolError(`bad port range ${min}..${max}`)
    this.first = min % 2 === 0 ? min : min + 1
    this.capacity = Math.max(0, Math.floor((max - this.first + 1) / 2))
    this.free = new Uint16Array(this.capacity)
    this.used = new Uint8Array(this.capacity)
    // Ascending first allocation order keeps logs and tests readable.
    for (let i = 0; i < this.capacity; i++) this.free[i] = this.first + 2 * i
    this.count = this.capacity
  }

  /** Pairs currently handed out. */
  get inUse(): number {
    return this.capacity - this.count
  }

  /** Pairs left. */
  get available(): number {
    return this.count
  }

  /** An even RTP port (RTCP = port + 1), or null when the range is exhausted. */
  allocate(): number | null {
    if (this.count === 0) return null
    const port = this.free[this.head]!
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1
    this.count--
    this.used[(port - this.first) >> 1] = 1
    return port
  }

  /** Gives a pair back; throws on a port that is not an allocated pair of this pool. */
  release(port: number): void {
    const i = (port - this.first) / 2
    if (!Number.isInteger(i) || i < 0 || i >= this.capacity) throw new PortPoolError(`port ${port} is not a pair of this pool`)
    if (this.used[i] !== 1) throw new PortPoolError(`port ${port} freed twice (or never allocated)`)
    this.used[i] = 0
    this.free[(this.head + this.count) % this.capacity] = port
    this.count++
  }

  /** Whether `port` is currently allocated. */
  isAllocated(port: number): boolean {
    const i = (port - this.first) / 2
    return Number.isInteger(i) && i >= 0 && i < this.capacity && this.used[i] === 1
  }
}
