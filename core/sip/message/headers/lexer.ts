// Character classes and small scanners for the RFC 3261 §25 grammar, shared by the structured header parsers.

/** RFC 3261 §25.1 token characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~". */
export const TOKEN = new Uint8Array(128)
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1
for (const ch of "-.!%*_+`'~") TOKEN[ch.charCodeAt(0)] = 1

/** True when every character of s is a token character and s is not empty (RFC 3261 §25.1). */
export function isToken(s: string): boolean {
  const n = s.length
  if (n === 0) return false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128 || TOKEN[c] !== 1) return false
  }
  return true
}

/** True for SP, HT, CR or LF. */
export function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10
}

/** Index of the first non-whitespace character at or after i (s.length if none). */
export function skipWs(s: string, i: number): number {
  const n = s.length
  while (i < n && isWs(s.charCodeAt(i))) i++
  return i
}

/** s without leading and trailing SP/HT/CR/LF (cheaper and narrower than String.prototype.trim). */
export function trimWs(s: string): string {
  let a = 0
  let b = s.length
  while (a < b && isWs(s.charCodeAt(a))) a++
  while (b > a && isWs(s.charCodeAt(b - 1))) b--
  return a === 0 && b === s.length ? s : s.slice(a, b)
}

/** True when s is 1..maxDigits ASCII digits. */
export function isDigits(s: string, maxDigits = 10): boolean {
  const n = s.length
  if (n === 0 || n > maxDigits) return false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/** Non-negative integer from a digit string not above max, else undefined (bad bytes are values). */
export function parseUint(s: string, max: number): number | undefined {
  const t = trimWs(s)
  if (!isDigits(t, 20)) return undefined
  const v = Number(t)
  return v <= max ? v : undefined
}

/**
 * Reads a quoted-string starting at s[i] === '"' (RFC 3261 §25.1, quoted-pair escapes).
 * Returns the unescaped content and the index after the closing quote, or undefined if unterminated.
 */
export function readQuoted(s: string, i: number): { value: string; end: number } | undefined {
  let out = ''
  let from = i + 1
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j)
    if (c === 92 /* \ */) {
      if (j + 1 >= s.length) return undefined
      out += s.slice(from, j)
      from = j + 1
      j++
    } else if (c === 34 /* " */) {
      return { value: out + s.slice(from, j), end: j + 1 }
    }
  }
  return undefined
}

/**
 * Splits a comma-separated header value at top-level commas, ignoring commas inside quotes and <...>
 * (RFC 3261 §7.3.1). Elements are trimmed; empty elements are kept so callers can reject them.
 */
export function splitTopLevel(s: string, sep = 44): string[] {
  // Most values hold no separator at all: a native search says so before the scan that tracks quotes and <>.
  if (s.indexOf(String.fromCharCode(sep)) === -1) return [trimWs(s)]
  const out: string[] = []
  let inQuote = false
  let angle = false
  let from = 0
  const n = s.length
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (inQuote) {
      if (c === 92) i++
      else if (c === 34) inQuote = false
    } else if (c === 34) inQuote = true
    else if (c === 60) angle = true
    else if (c === 62) angle = false
    else if (c === sep && !angle) {
      out.push(trimWs(s.slice(from, i)))
      from = i + 1
    }
  }
  out.push(trimWs(s.slice(from)))
  return out
}

/** Index of the first top-level separator (default comma) in s at or after i, or -1. */
export function indexOfTopLevel(s: string, sep = 44, i = 0): number {
  if (s.indexOf(sep === 44 ? ',' : String.fromCharCode(sep), i) === -1) return -1
  let inQuote = false
  let angle = false
  const n = s.length
  for (; i < n; i++) {
    const c = s.charCodeAt(i)
    if (inQuote) {
      if (c === 92) i++
      else if (c === 34) inQuote = false
    } else if (c === 34) inQuote = true
    else if (c === 60) angle = true
    else if (c === 62) angle = false
    else if (c === sep && !angle) return i
  }
  return -1
}

/**
 * Lowercase spellings recognised in place, in any case, without slicing a string: header names, parameter names.
 * Lookups take token characters only, for which `| 32` lowercases letters and leaves digits, '-' and '.' alone.
 */
export class NameTable {
  /** Entries grouped by shape (length << 7 | lowercase first character): those of shape k are at [first[k], first[k + 1]). */
  private readonly first = new Int32Array(4097)
  private readonly lower: string[] = []
  private readonly value: string[] = []

  /** `entries`: [lowercase spelling, the string a lookup returns for it]; spellings up to 31 characters. */
  constructor(entries: Iterable<readonly [string, string]>) {
    const kept: Array<{ shape: number; lower: string; value: string }> = []
    for (const [lower, value] of entries) {
      if (lower.length === 0 || lower.length > 31) continue
      kept.push({ shape: (lower.length << 7) | lower.charCodeAt(0), lower, value })
    }
    // Flat arrays and offsets rather than an array per shape: a sparse array of 4,096 slots is a dictionary to V8.
    kept.sort((x, y) => x.shape - y.shape)
    for (const e of kept) {
      this.first[e.shape + 1]!++
      this.lower.push(e.lower)
      this.value.push(e.value)
    }
    for (let k = 1; k < this.first.length; k++) this.first[k]! += this.first[k - 1]!
  }

  /** The value for the token s[a, b) in any case, or undefined when it is not in the table. */
  lookup(s: string, a: number, b: number): string | undefined {
    const len = b - a
    if (len <= 0 || len > 31) return undefined
    const shape = (len << 7) | (s.charCodeAt(a) | 32)
    const to = this.first[shape + 1]!
    for (let j = this.first[shape]!; j < to; j++) {
      const lower = this.lower[j]!
      let k = 1
      while (k < len && (s.charCodeAt(a + k) | 32) === lower.charCodeAt(k)) k++
      if (k === len) return this.value[j]
    }
    return undefined
  }
}
