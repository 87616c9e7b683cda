// CSeq header field parser (RFC 3261 §20.16, §8.1.1.5).
import { TOKEN, skipWs, trimWs } from './lexer.js'

export interface CSeq {
  seq: number
  method: string
}

/** RFC 3261 §8.1.1.5: the sequence number MUST be expressible as a 32-bit unsigned integer (and less than 2**31 when chosen). */
export const MAX_CSEQ = 0xffffffff

/** Parses `1*DIGIT LWS Method`; undefined when malformed or the number exceeds 2**32-1. */
export function parseCSeq(value: string): CSeq | undefined {
  const s = trimWs(value)
  let i = 0
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++
  if (i === 0 || i > 10) return undefined
  const seq = Number(s.slice(0, i))
  if (seq > MAX_CSEQ) return undefined
  const m = skipWs(s, i)
  if (m === i || m >= s.length) return undefined
  for (let k = m; k < s.length; k++) {
    const c = s.charCodeAt(k)
    if (c >= 128 || TOKEN[c] !== 1) return undefined
  }
  return { seq, method: s.slice(m) }
}
