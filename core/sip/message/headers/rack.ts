// RAck and RSeq header field parsers (RFC 3262 §7.1, §7.2).
import { parseCSeq } from './cseq.js'
import { trimWs } from './lexer.js'

/** RAck: which reliable provisional a PRACK acknowledges: its RSeq, and the CSeq number and method of the request it answered. */
export interface RAck {
  rseq: number
  cseq: number
  method: string
}

/** RFC 3262 §7.1: response-num is 1*DIGIT in 1 .. 2**32-1. */
const MAX_RSEQ = 0xffffffff

/** Parses `1*DIGIT`; undefined when malformed, zero or above 2**32-1. */
export function parseRSeq(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const s = trimWs(value)
  if (s.length === 0 || s.length > 10) return undefined
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return undefined
  }
  const n = Number(s)
  return n === 0 || n > MAX_RSEQ ? undefined : n
}

/** Parses `response-num LWS CSeq-num LWS Method`; undefined when malformed. */
export function parseRAck(value: string | undefined): RAck | undefined {
  if (value === undefined) return undefined
  const s = trimWs(value)
  let i = 0
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++
  const rseq = parseRSeq(s.slice(0, i))
  if (rseq === undefined) return undefined
  const rest = parseCSeq(s.slice(i))
  if (rest === undefined || s.charCodeAt(i) !== 32 && s.charCodeAt(i) !== 9) return undefined
  return { rseq, cseq: rest.seq, method: rest.method }
}
