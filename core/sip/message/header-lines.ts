// The one walk over a SIP head's header lines (RFC 3261 §7.3.1: folding, compact forms), shared by the parser and the routing key.
import { COMMON_HEADERS, COMPACT_FORMS, wireName } from './header-names.js'
import { NameTable, TOKEN } from './headers/lexer.js'

/** The token table held locally: an imported binding read in a loop costs a getter call when modules run through tsx. */
const TOKEN_CHARS: Uint8Array = TOKEN

/** Common header names and compact forms, recognised in place. */
const KNOWN = new NameTable([
  ...COMMON_HEADERS.map((name) => [name, name] as const),
  ...Object.entries(COMPACT_FORMS),
])

/**
 * Canonical name of the header name src[a, b) (token characters only, checked by the caller), recognised in place for
 * the common names and compact forms, so a message's usual headers cost no string; other names go through wireName.
 */
function nameAt(src: string, a: number, b: number): string {
  return KNOWN.lookup(src, a, b) ?? wireName(src.slice(a, b))
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9
}

/**
 * Walks the header lines of a head (the text between the start line and the empty line; CRLF or bare LF line ends):
 * `next()` stops on each header line with its continuation lines joined to it. One instance serves one walk at a time.
 */
export class HeaderLines {
  /** Canonical name of the current line; '' when the line is malformed (see error). */
  name = ''
  /** Why the current line is no header line (its continuation lines are skipped with it); undefined for a good line. */
  error: string | undefined = undefined
  private src = ''
  private pos = 0
  private n = 0
  private valueStart = 0
  private valueEnd = 0
  /** Where the continuation lines of the current line begin, or -1 when it has none. */
  private foldFrom = -1
  private foldTo = 0

  /** Starts a walk over src from `pos` (the first header line) to `end` (default: the end of src). */
  reset(src: string, pos: number, end = src.length): this {
    this.src = src
    this.pos = pos
    this.n = end
    return this
  }

  /** Moves to the next header line; false when the head is done. */
  next(): boolean {
    const src = this.src
    const n = this.n
    let pos = this.pos
    if (pos >= n) return false
    let nl = src.indexOf('\n', pos)
    if (nl === -1 || nl > n) nl = n
    let end = nl > pos && src.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
    this.error = undefined
    this.name = ''
    this.foldFrom = -1
    const c0 = src.charCodeAt(pos)
    if (isBlank(c0)) {
      // Folding continues the previous header; one here begins the head (RFC 3261 §7.3.1).
      this.error = 'continuation line before any header'
    } else {
      const colon = src.indexOf(':', pos)
      if (colon === -1 || colon >= end) this.error = 'header line without a colon'
      else {
        let nameEnd = colon
        while (nameEnd > pos && isBlank(src.charCodeAt(nameEnd - 1))) nameEnd--
        let valid = nameEnd > pos
        for (let k = pos; valid && k < nameEnd; k++) {
          const c = src.charCodeAt(k)
          if (c >= 128 || TOKEN_CHARS[c] !== 1) valid = false
        }
        if (!valid) this.error = 'invalid header name'
        else {
          let a = colon + 1
          while (a < end && isBlank(src.charCodeAt(a))) a++
          while (end > a && isBlank(src.charCodeAt(end - 1))) end--
          this.name = nameAt(src, pos, nameEnd)
          this.valueStart = a
          this.valueEnd = end
        }
      }
    }
    // Continuation lines (starting with SP or HT) belong to this line.
    pos = nl + 1
    if (pos < n && isBlank(src.charCodeAt(pos))) {
      this.foldFrom = pos
      while (pos < n && isBlank(src.charCodeAt(pos))) {
        nl = src.indexOf('\n', pos)
        pos = nl === -1 || nl >= n ? n : nl + 1
      }
      this.foldTo = pos
    }
    this.pos = pos
    return true
  }

  /** The current line's value: trimmed of SP/HT, each non-empty continuation line joined with one space. */
  value(): string {
    const src = this.src
    let v = src.slice(this.valueStart, this.valueEnd)
    if (this.foldFrom === -1) return v
    let pos = this.foldFrom
    const to = this.foldTo
    while (pos < to) {
      let nl = src.indexOf('\n', pos)
      if (nl === -1 || nl > to) nl = to
      let e = nl > pos && src.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
      let a = pos
      while (a < e && isBlank(src.charCodeAt(a))) a++
      while (e > a && isBlank(src.charCodeAt(e - 1))) e--
      if (a < e) v = v.length === 0 ? src.slice(a, e) : v + ' ' + src.slice(a, e)
      pos = nl + 1
    }
    return v
  }
}
