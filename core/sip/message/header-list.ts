// Ordered SIP header list with canonical lowercase names and raw values (RFC 3261 §7.3).
import { LIST_HEADERS, wireName } from './header-names.js'
import { indexOfTopLevel, splitTopLevel, trimWs } from './headers/lexer.js'

/**
 * Ordered header fields as parallel arrays of canonical lowercase names and raw (unfolded) values. Names given in any
 * spelling go through wireName's table, so `has('via')` and friends lowercase no string per call.
 */
export class HeaderList {
  /** Incremented on every mutation; messages use it to drop cached structured values. */
  version = 0
  private readonly names: string[]
  private readonly values: string[]

  /** Takes ownership of the arrays; names must already be canonical (see canonicalName in header-names.ts). */
  constructor(names: string[] = [], values: string[] = []) {
    this.names = names
    this.values = values
  }

  /** Number of header lines. */
  get size(): number {
    return this.names.length
  }

  /** Canonical name of line `i` (0 <= i < size); with valueAt, the allocation-free way to walk the lines. */
  nameAt(i: number): string {
    return this.names[i] as string
  }

  /** Raw value of line `i` (0 <= i < size). */
  valueAt(i: number): string {
    return this.values[i] as string
  }

  /** Raw value of the first line by canonical name, without list splitting (hot path: no array, no normalisation). */
  firstLine(canonical: string): string | undefined {
    const i = this.names.indexOf(canonical)
    return i === -1 ? undefined : (this.values[i] as string)
  }

  /** Appends a line whose name is already canonical (hot path: builders copying lines between messages). */
  appendCanonical(canonical: string, value: string): this {
    this.names.push(canonical)
    this.values.push(value)
    this.version++
    return this
  }

  /** Header lines in order as [canonical name, raw value]. */
  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i] as string, this.values[i] as string]
  }

  /** True when at least one line with that name exists. */
  has(name: string): boolean {
    return this.names.indexOf(wireName(name)) !== -1
  }

  /** Number of header lines (not list elements) with that name. */
  count(name: string): number {
    const c = wireName(name)
    let n = 0
    for (const x of this.names) if (x === c) n++
    return n
  }

  /** First value; for list headers the first comma-separated element of the first line. */
  get(name: string): string | undefined {
    return this.first(wireName(name))
  }

  /** First value by canonical name (no normalisation; hot path). */
  first(canonical: string): string | undefined {
    const i = this.names.indexOf(canonical)
    if (i === -1) return undefined
    const v = this.values[i] as string
    if (!LIST_HEADERS.has(canonical)) return v
    const comma = indexOfTopLevel(v)
    return comma === -1 ? v : trimWs(v.slice(0, comma))
  }

  /** All values in order; lines of list headers are split at top-level commas (RFC 3261 §7.3.1). */
  getAll(name: string): string[] {
    return this.all(wireName(name))
  }

  /** How many list elements lines of that canonical name carry (what all() would return, without building it). */
  countAll(canonical: string): number {
    const split = LIST_HEADERS.has(canonical)
    let n = 0
    for (let i = 0; i < this.names.length; i++) {
      if (this.names[i] !== canonical) continue
      n++
      if (!split) continue
      const v = this.values[i] as string
      for (let at = indexOfTopLevel(v); at !== -1; at = indexOfTopLevel(v, 44, at + 1)) n++
    }
    return n
  }

  /** getAll by canonical name (no normalisation). */
  all(canonical: string): string[] {
    const split = LIST_HEADERS.has(canonical)
    // The usual answers, none or one line of one element, as literals: an empty array's first push reserves 16 slots.
    const first = this.names.indexOf(canonical)
    if (first === -1) return []
    if (this.names.indexOf(canonical, first + 1) === -1) {
      const v = this.values[first] as string
      if (!split || indexOfTopLevel(v) === -1) return [v]
    }
    const out: string[] = []
    for (let i = first; i < this.names.length; i++) {
      if (this.names[i] !== canonical) continue
      const v = this.values[i] as string
      if (split && indexOfTopLevel(v) !== -1) for (const p of splitTopLevel(v)) out.push(p)
      else out.push(v)
    }
    return out
  }

  /** Raw line values without list splitting. */
  lines(name: string): string[] {
    const c = wireName(name)
    const out: string[] = []
    for (let i = 0; i < this.names.length; i++) if (this.names[i] === c) out.push(this.values[i] as string)
    return out
  }

  /** Replaces every line of that name with one line at the position of the first (or at the end). */
  set(name: string, value: string): this {
    const c = wireName(name)
    const i = this.names.indexOf(c)
    if (i === -1) return this.append(c, value)
    this.values[i] = value
    for (let j = this.names.length - 1; j > i; j--) {
      if (this.names[j] === c) {
        this.names.splice(j, 1)
        this.values.splice(j, 1)
      }
    }
    this.version++
    return this
  }

  /** Adds a line after all others. */
  append(name: string, value: string): this {
    this.names.push(wireName(name))
    this.values.push(value)
    this.version++
    return this
  }

  /** Adds a line before the first line of the same name, or at the top (e.g. a new Via, RFC 3261 §16.6 step 8). */
  prepend(name: string, value: string): this {
    const c = wireName(name)
    const i = this.names.indexOf(c)
    const at = i === -1 ? 0 : i
    this.names.splice(at, 0, c)
    this.values.splice(at, 0, value)
    this.version++
    return this
  }

  /** Removes every line of that name; returns how many were removed. */
  remove(name: string): number {
    const c = wireName(name)
    let removed = 0
    for (let j = this.names.length - 1; j >= 0; j--) {
      if (this.names[j] === c) {
        this.names.splice(j, 1)
        this.values.splice(j, 1)
        removed++
      }
    }
    if (removed > 0) this.version++
    return removed
  }

  /** Removes the first list element of that name (e.g. the top Via); drops the line when it becomes empty. */
  removeFirst(name: string): boolean {
    const c = wireName(name)
    const i = this.names.indexOf(c)
    if (i === -1) return false
    const v = this.values[i] as string
    const comma = LIST_HEADERS.has(c) ? indexOfTopLevel(v) : -1
    if (comma === -1) {
      this.names.splice(i, 1)
      this.values.splice(i, 1)
    } else this.values[i] = trimWs(v.slice(comma + 1))
    this.version++
    return true
  }

  /**
   * removeFirst(name) then prepend(name, value), as one change: a lone top element whose line would come back to the
   * same index is overwritten in place (the usual top Via), without the two splices.
   */
  replaceFirst(name: string, value: string): this {
    const c = wireName(name)
    const i = this.names.indexOf(c)
    if (i !== -1 && (!LIST_HEADERS.has(c) || indexOfTopLevel(this.values[i] as string) === -1)) {
      const next = this.names.indexOf(c, i + 1)
      // After the removal, prepend would insert at the next line of that name (shifted down by one), or at the top.
      if ((next === -1 ? 0 : next - 1) === i) {
        this.values[i] = value
        this.version++
        return this
      }
    }
    this.removeFirst(c)
    return this.prepend(c, value)
  }

  /** Independent copy. */
  clone(): HeaderList {
    return new HeaderList(this.names.slice(), this.values.slice())
  }
}

/** What a response copies from its request (RFC 3261 §8.2.6): the first From, To, Call-ID, CSeq and Timestamp. */
export interface ResponseCopies {
  from: string | undefined
  to: string | undefined
  callId: string | undefined
  cseq: string | undefined
  ts: string | undefined
  /** How many Vias were written into `vias`, from index 0. */
  vias: number
}

/**
 * One pass over a request's lines (names are canonical): every Via into `vias` from index 0 in order (a caller's
 * scratch array, reused, so it is overwritten rather than grown), and the single-valued copies.
 */
export function responseCopies(src: HeaderList, vias: string[]): ResponseCopies {
  const c: ResponseCopies = { from: undefined, to: undefined, callId: undefined, cseq: undefined, ts: undefined, vias: 0 }
  for (let i = 0, n = src.size; i < n; i++) {
    switch (src.nameAt(i)) {
      case 'via': vias[c.vias++] = src.valueAt(i); break
      case 'from': c.from ??= src.valueAt(i); break
      case 'to': c.to ??= src.valueAt(i); break
      case 'call-id': c.callId ??= src.valueAt(i); break
      case 'cseq': c.cseq ??= src.valueAt(i); break
      case 'timestamp': c.ts ??= src.valueAt(i); break
    }
  }
  return c
}
