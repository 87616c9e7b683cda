// Digit trie over the dial-prefix alphabet (0-9 * # +) for longest-prefix lookups in O(number length), as Kamailio drouting's prefix_tree.
const ALPHABET = '0123456789*#+'
const WIDTH = ALPHABET.length

const INDEX: Int8Array = (() => {
  const index = new Int8Array(128).fill(-1)
  for (let i = 0; i < WIDTH; i++) index[ALPHABET.charCodeAt(i)] = i
  return index
})()

/** What a node with values holds: `matches` returns these, so a walk allocates no object per prefix found. */
interface Match<T> {
  readonly length: number
  /** The prefix as first inserted (one string per node, so lookups keyed by it reuse its cached hash). */
  readonly prefix: string
  readonly values: T[]
  /** Insertion number of each value (0, 1, 2 ... over the whole trie), at the same positions as `values`. */
  readonly ordinals: number[]
}

/** One prefix of the walked number that carries values: its length, the prefix itself and everything inserted under it. */
export interface PrefixMatch<T> {
  readonly length: number
  readonly prefix: string
  readonly values: readonly T[]
  /** Each value's insertion number (the count of values inserted before it), so callers can key data by (prefix, value) in flat arrays. */
  readonly ordinals: readonly number[]
}

/** Thrown when a prefix contains a character outside 0-9 * # + (the entity schema should have refused it). */
export class PrefixTrieError extends Error {
  override readonly name = 'PrefixTrieError'
}

const childIndex = (code: number): number => (code < 128 ? (INDEX[code] ?? -1) : -1)

/**
 * Prefix → values trie; build once per config snapshot, then only read. Nodes are rows of one Int32Array (a child's
 * node number per alphabet character, 0 = none), so a walk reads one row per digit instead of chasing a node object
 * and its children array (two cache misses per digit on a trie of 100,000 prefixes).
 */
export class PrefixTrie<T> {
  private children = new Int32Array(WIDTH * 64)
  private nodes = 1
  /** The match of each node with values, by node number. */
  private readonly matchOf: (Match<T> | undefined)[] = [undefined]
  private count = 0

  /** Number of values inserted. */
  get size(): number {
    return this.count
  }

  /** Adds `value` under `prefix` and returns its insertion number; the empty prefix matches every number. */
  insert(prefix: string, value: T): number {
    let node = 0
    for (let i = 0; i < prefix.length; i++) {
      const c = childIndex(prefix.charCodeAt(i))
      if (c < 0) throw new PrefixTrieError(`prefix ${JSON.stringify(prefix)} has a character outside 0-9 * # +`)
      let next = this.children[node * WIDTH + c]!
      if (next === 0) {
        next = this.addNode()
        this.children[node * WIDTH + c] = next
      }
      node = next
    }
    let match = this.matchOf[node]
    if (match === undefined) this.matchOf[node] = match = { length: prefix.length, prefix, values: [], ordinals: [] }
    match.values.push(value)
    match.ordinals.push(this.count)
    return this.count++
  }

  private addNode(): number {
    if ((this.nodes + 1) * WIDTH > this.children.length) {
      const grown = new Int32Array(this.children.length * 2)
      grown.set(this.children)
      this.children = grown
    }
    this.matchOf.push(undefined)
    return this.nodes++
  }

  /** Values of the longest prefix of `number` that has any, or null; allocates nothing (rating's lookup). */
  longest(number: string): readonly T[] | null {
    const children = this.children
    let found: T[] | null = null
    let node = 0
    for (let depth = 0; ; depth++) {
      const match = this.matchOf[node]
      if (match !== undefined) found = match.values
      if (depth === number.length) break
      const c = childIndex(number.charCodeAt(depth))
      if (c < 0) break
      node = children[node * WIDTH + c]!
      if (node === 0) break
    }
    return found
  }

  /** Every prefix of `number` that has values, longest first; the walk stops at the first character outside the alphabet. */
  matches(number: string): PrefixMatch<T>[] {
    const found: PrefixMatch<T>[] = []
    this.matchesInto(number, found)
    return found.reverse()
  }

  /** `matches` written into `out` (a caller's scratch array, reused), shortest first; returns how many. */
  matchesInto(number: string, out: PrefixMatch<T>[]): number {
    const children = this.children
    let n = 0
    let node = 0
    for (let depth = 0; ; depth++) {
      const match = this.matchOf[node]
      if (match !== undefined) out[n++] = match
      if (depth === number.length) break
      const c = childIndex(number.charCodeAt(depth))
      if (c < 0) break
      node = children[node * WIDTH + c]!
      if (node === 0) break
    }
    return n
  }
}
