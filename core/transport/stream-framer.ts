// Cuts a SIP byte stream into messages by Content-Length (RFC 3261 §18.3) with bounded head and body sizes, and spots RFC 5626 CRLF keep-alives between messages.

/** Size limits of one framed message. */
export interface FramerLimits {
  /** Start line plus headers, up to and including the blank line (bytes). */
  maxHeadBytes: number
  /** Body, as announced by Content-Length (bytes). */
  maxBodyBytes: number
}

/** Defaults: a 3 kB INVITE is common, 10 kB rare; 32 KiB of headers and a 64 KiB body (a UDP datagram's ceiling) bound each connection's buffer. */
export const DEFAULT_FRAMER_LIMITS: FramerLimits = { maxHeadBytes: 32 * 1024, maxBodyBytes: 64 * 1024 }

/** Why a stream cannot be read any further; the connection must close after it. */
export type FramingError =
  /** No blank line within maxHeadBytes. */
  | 'head-too-large'
  /** The head has no usable Content-Length: the message end is unknowable (RFC 3261 §18.3 makes it mandatory on streams). */
  | 'no-content-length'
  /** Content-Length above maxBodyBytes. */
  | 'body-too-large'

/** What a framer reports. */
export interface FramerSink {
  /** One whole message (head and body). */
  message(buf: Buffer): void
  /** RFC 5626 §3.5.1: a "\r\n\r\n" ping between messages; the transport answers with a "\r\n" pong. */
  ping(): void
  /** The stream is unusable; `head` holds the message head when one was found (so a request can still be answered). */
  error(kind: FramingError, head: Buffer | undefined): void
}

const CR = 13
const LF = 10

/** Offset just past the blank line ending the head that starts at `from`, or -1; bare-LF heads are tolerated like the parser does. */
function headEnd(buf: Buffer, from: number, scanFrom: number): number {
  const crlf = buf.indexOf('\r\n\r\n', Math.max(from, scanFrom), 'latin1')
  const lf = buf.indexOf('\n\n', Math.max(from, scanFrom), 'latin1')
  if (crlf === -1) return lf === -1 ? -1 : lf + 2
  if (lf === -1 || crlf < lf) return crlf + 4
  return lf + 2
}

/** Content-Length (or its compact form `l`) of a head; undefined when absent, repeated with other values, or not a number. */
export function contentLengthOf(head: Buffer): number | undefined {
  const text = head.toString('latin1')
  let found: number | undefined
  const re = /\n[ \t]*(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/gi
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const v = m[1]!.trim()
    if (!/^\d{1,10}$/.test(v)) return undefined
    const n = Number(v)
    if (found !== undefined && found !== n) return undefined
    found = n
  }
  return found
}

/** Incremental framer for one connection; feed it every chunk in order. */
export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0)
  /** Where the current message starts in `buf`. */
  private start = 0
  /** Where the search for the blank line resumes (avoids rescanning a slowly growing head). */
  private scanFrom = 0
  /** End of the current head and the message, once known. */
  private bodyStart = -1
  private messageEnd = -1
  /** CR/LF bytes seen between messages since the last ping. */
  private crlfRun = 0
  private failed = false

  constructor(private readonly sink: FramerSink, private readonly limits: FramerLimits = DEFAULT_FRAMER_LIMITS) {}

  /** Bytes held for an incomplete message (0 between messages); a slow sender shows here. */
  get pending(): number {
    return this.buf.length - this.start
  }

  /** True once a framing error was reported; later chunks are ignored. */
  get broken(): boolean {
    return this.failed
  }

  /** Feeds one chunk; reports every message it completes, in order. */
  push(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return
    if (this.pending === 0) {
      this.buf = chunk
      this.start = 0
      this.scanFrom = 0
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.start), chunk])
      this.scanFrom = Math.max(0, this.scanFrom - this.start)
      if (this.bodyStart !== -1) {
        this.bodyStart -= this.start
        this.messageEnd -= this.start
      }
      this.start = 0
    }
    this.drain()
  }

  private drain(): void {
    const buf = this.buf
    while (!this.failed) {
      if (this.bodyStart === -1) {
        // RFC 3261 §7.5 / RFC 5626 §3.5.1: CRLFs between messages; every "\r\n\r\n" is a ping.
        let i = this.start
        while (i < buf.length && (buf[i] === CR || buf[i] === LF)) {
          if (++this.crlfRun === 4) {
            this.crlfRun = 0
            this.sink.ping()
          }
          i++
        }
        if (i > this.start) {
          this.start = i
          this.scanFrom = i
        }
        if (i === buf.length) break
        this.crlfRun = 0
        const end = headEnd(buf, this.start, this.scanFrom)
        if (end === -1) {
          if (buf.length - this.start > this.limits.maxHeadBytes) return this.fail('head-too-large', undefined)
          this.scanFrom = Math.max(this.start, buf.length - 3)
          break
        }
        if (end - this.start > this.limits.maxHeadBytes) return this.fail('head-too-large', undefined)
        const head = buf.subarray(this.start, end)
        const length = contentLengthOf(head)
        if (length === undefined) return this.fail('no-content-length', head)
        if (length > this.limits.maxBodyBytes) return this.fail('body-too-large', head)
        this.bodyStart = end
        this.messageEnd = end + length
      }
      if (buf.length < this.messageEnd) break
      const message = buf.subarray(this.start, this.messageEnd)
      this.start = this.messageEnd
      this.scanFrom = this.start
      this.bodyStart = -1
      this.messageEnd = -1
      this.sink.message(message)
    }
    if (this.start === buf.length) {
      this.buf = Buffer.alloc(0)
      this.start = 0
      this.scanFrom = 0
    }
  }

  private fail(kind: FramingError, head: Buffer | undefined): void {
    this.failed = true
    this.buf = Buffer.alloc(0)
    this.start = 0
    this.sink.error(kind, head === undefined ? undefined : Buffer.from(head))
  }
}
