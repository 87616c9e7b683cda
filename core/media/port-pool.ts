// RTP/RTCP port-pair allocator over RTP_PORT_MIN..RTP_PORT_MAX: even RTP port, RTCP on the next odd one (RFC 3550 §11), O(1) allocate and free.

/** Thrown when our own code frees a pair it does not hold (a double free is a bug, not an outcome). */
export class PortPoolError extends Error {
  override name = 'PortPoolError'
}

/** A fixed set of even ports kept on a stack; exhaustion is a `null` value, not an exception. */
export class PortPool {
  /** Free even RTP ports; the top of the stack is handed out next. */
  private readonly free: Uint16Array
  private top: number
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
    // Lowest port on top: allocation order is ascending, which keeps logs and tests readable.
    for (let i = 0; i < this.capacity; i++) this.free[i] = this.first + 2 * (this.capacity - 1 - i)
    this.top = this.capacity
  }

  /** Pairs currently handed out. */
  get inUse(): number {
    return this.capacity - this.top
  }

  /** Pairs left. */
  get available(): number {
    return this.top
  }

  /** An even RTP port (RTCP = port + 1), or null when the range is exhausted. */
  allocate(): number | null {
    if (this.top === 0) return null
    const port = this.free[--this.top]!
    this.used[(port - this.first) >> 1] = 1
    return port
  }

  /** Gives a pair back; throws on a port that is not an allocated pair of this pool. */
  release(port: number): void {
    const i = (port - this.first) / 2
    if (!Number.isInteger(i) || i < 0 || i >= this.capacity) throw new PortPoolError(`port ${port} is not a pair of this pool`)
    if (this.used[i] !== 1) throw new PortPoolError(`port ${port} freed twice (or never allocated)`)
    this.used[i] = 0
    this.free[this.top++] = port
  }

  /** Whether `port` is currently allocated. */
  isAllocated(port: number): boolean {
    const i = (port - this.first) / 2
    return Number.isInteger(i) && i >= 0 && i < this.capacity && this.used[i] === 1
  }
}
