// Digit trie over the dial-prefix alphabet (0-9 * # +) for longest-prefix lookups in O(number length), as Kamailio drouting's prefix_tree.
const ALPHABET = '0123456789*#+'
const WIDTH = ALPHABET.length

const INDEX: Int8Array = (() => {
  const index = new Int8Array(128).fill(-1)
  for (let i = 0; i < WIDTH; i++) index[ALPHABET.charCodeAt(i)] = i
  return index
})()

/** A node is its own match: `matches` returns nodes, so a walk allocates no object per prefix found. */
interface TrieNode<T> {
  children: (TrieNode<T> | undefined)[] | null
  values: T[] | null
  readonly length: number
  /** The prefix as first inserted (one string per node, so lookups keyed by it reuse its cached hash). */
  prefix: string
}

/** One prefix of the walked number that carries values: its length, the prefix itself and everything inserted under it. */
export interface PrefixMatch<T> {
  readonly length: number
  readonly prefix: string
  readonly values: readonly T[]
}

/** Thrown when a prefix contains a character outside 0-9 * # + (the entity schema should have refused it). */
export class PrefixTrieError extends Error {
  override readonly name = 'PrefixTrieError'
}

const childIndex = (code: number): number => (code < 128 ? (INDEX[code] ?? -1) : -1)

/** Prefix → values trie; build once per config snapshot, then only read. */
export class PrefixTrie<T> {
  private readonly root: TrieNode<T> = { children: null, values: null, length: 0, prefix: '' }
  private count = 0

  /** Number of values inserted. */
  get size(): number {
    return this.count
  }

  /** Adds `value` under `prefix`; the empty prefix matches every number. */
  insert(prefix: string, value: T): void {
    let node = this.root
    for (let i = 0; i < prefix.length; i++) {
      const c = childIndex(prefix.charCodeAt(i))
      if (c < 0) throw new PrefixTrieError(`prefix ${JSON.stringify(prefix)} has a character outside 0-9 * # +`)
      node.children ??= new Array<TrieNode<T> | undefined>(WIDTH)
      let next = node.children[c]
      if (next === undefined) {
        next = { children: null, values: null, length: i + 1, prefix: '' }
        node.children[c] = next
      }
      node = next
    }
    if (node.values === null) {
      node.values = []
      node.prefix = prefix
    }
    node.values.push(value)
    this.count++
  }

  /** Values of the longest prefix of `number` that has any, or null; allocates nothing (rating's lookup). */
  longest(number: string): readonly T[] | null {
    let node: TrieNode<T> | undefined = this.root
    let found: T[] | null = null
    let depth = 0
    while (node !== undefined) {
      if (node.values !== null) found = node.values
      if (depth === number.length || node.children === null) break
      const c = childIndex(number.charCodeAt(depth))
      if (c < 0) break
      node = node.children[c]
      depth++
    }
    return found
  }

  /** Every prefix of `number` that has values, longest first; the walk stops at the first character outside the alphabet. */
  matches(number: string): PrefixMatch<T>[] {
    const found: PrefixMatch<T>[] = []
    let node: TrieNode<T> | undefined = this.root
    let depth = 0
    while (node !== undefined) {
      if (node.values !== null) found.push(node as PrefixMatch<T>)
      if (depth === number.length || node.children === null) break
      const c = childIndex(number.charCodeAt(depth))
      if (c < 0) break
      node = node.children[c]
      depth++
    }
    return found.reverse()
  }
}
