// A minimal UDP customer for the digest cases SIPp 3.6.1 cannot drive: it picks the SHA-256 or MD5 challenge by name (SIPp reads only the first) and can replay an Authorization verbatim.
import { randomBytes } from 'node:crypto'
import { createSocket, type Socket } from 'node:dgram'
import { computeHa1, digestHash, type DigestAlgorithm } from '../../../shared/auth/digest-hash.js'

/** One response as received: status, lowercase header name -> values in order, raw text. */
export interface RawResponse {
  status: number
  headers: Map<string, string[]>
  raw: string
}

/** One digest challenge (RFC 7616 §3.3), from WWW-Authenticate or Proxy-Authenticate. */
export interface DigestChallenge {
  header: 'www-authenticate' | 'proxy-authenticate'
  params: Map<string, string>
}

/** What an INVITE attempt ended with: every response in order and the final one. */
export interface InviteOutcome {
  responses: RawResponse[]
  final: RawResponse
}

/** Options of one INVITE; the same `callId` with a higher `cseq` is a retry after a challenge (RFC 3261 §22.2). */
export interface RawInvite {
  callee: string
  callId: string
  cseq: number
  fromTag: string
  /** A full header line value pair, e.g. ['Proxy-Authorization', 'Digest ...']. */
  authorization?: readonly [string, string]
  timeoutMs?: number
}

/** Parses `Digest k=v, k="v"` into lowercase keys with unquoted values. */
export function parseDigestParams(value: string): Map<string, string> {
  const out = new Map<string, string>()
  const body = value.replace(/^\s*Digest\s+/i, '')
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g
  for (const m of body.matchAll(re)) out.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? '')
  return out
}

/** Every digest challenge of a 401/407, in the order sent. */
export function challengesOf(res: RawResponse): DigestChallenge[] {
  const out: DigestChallenge[] = []
  for (const header of ['www-authenticate', 'proxy-authenticate'] as const) {
    for (const v of res.headers.get(header) ?? []) out.push({ header, params: parseDigestParams(v) })
  }
  return out
}

/** RFC 7616 §3.4 credentials for qop=auth over `challenge`, as the header line to send. */
export function digestCredentials(opts: {
  challenge: DigestChallenge
  username: string
  password: string
  method: string
  uri: string
  nc?: number
  cnonce?: string
}): readonly [string, string] {
  const p = opts.challenge.params
  const algorithm = (p.get('algorithm') ?? 'MD5').toUpperCase() === 'SHA-256' ? 'SHA-256' : 'MD5'
  const realm = p.get('realm') ?? ''
  const nonce = p.get('nonce') ?? ''
  const nc = (opts.nc ?? 1).toString(16).padStart(8, '0')
  const cnonce = opts.cnonce ?? randomBytes(8).toString('hex')
  const ha1 = computeHa1(algorithm as DigestAlgorithm, opts.username, realm, opts.password)
  const ha2 = digestHash(algorithm as DigestAlgorithm, `${opts.method}:${opts.uri}`)
  const response = digestHash(algorithm as DigestAlgorithm, `${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`)
  const opaque = p.has('opaque') ? `, opaque="${p.get('opaque')}"` : ''
  const value =
    `Digest username="${opts.username}", realm="${realm}", nonce="${nonce}", uri="${opts.uri}", ` +
    `response="${response}", algorithm=${algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}"${opaque}`
  return [opts.challenge.header === 'proxy-authenticate' ? 'Proxy-Authorization' : 'Authorization', value]
}

/** Parses a SIP response datagram (enough for status and headers; never throws, returns null for requests). */
function parseResponse(text: string): RawResponse | null {
  const m = /^SIP\/2\.0 (\d{3}) /.exec(text)
  if (m === null) return null
  const headers = new Map<string, string[]>()
  for (const line of text.split('\r\n\r\n')[0]!.split('\r\n').slice(1)) {
    const i = line.indexOf(':')
    if (i <= 0) continue
    const name = line.slice(0, i).trim().toLowerCase()
    const list = headers.get(name) ?? []
    list.push(line.slice(i + 1).trim())
    headers.set(name, list)
  }
  return { status: Number(m[1]), headers, raw: text }
}

/** A customer socket on 127.0.0.1 that sends INVITEs to the core and ACKs their non-2xx final responses. */
export class DigestCustomer {
  private readonly inbox: RawResponse[] = []
  private waiter: (() => void) | null = null

  private constructor(
    private readonly sock: Socket,
    readonly localPort: number,
    private readonly core: { host: string; port: number },
  ) {
    sock.on('message', (buf) => {
      const res = parseResponse(buf.toString('utf8'))
      if (res === null) return
      this.inbox.push(res)
      this.waiter?.()
    })
  }

  /** Binds a socket on `localIp` (default 127.0.0.1) for talking to the core at 127.0.0.1:`corePort`. */
  static async open(corePort: number, localIp = '127.0.0.1'): Promise<DigestCustomer> {
    const sock = createSocket('udp4')
    await new Promise<void>((ok, fail) => {
      sock.once('error', fail)
      sock.bind(0, localIp, () => ok())
    })
    return new DigestCustomer(sock, sock.address().port, { host: '127.0.0.1', port: corePort })
  }

  /** The Request-URI used for `callee` (also the digest-uri, RFC 7616 §3.4.6). */
  requestUri(callee: string): string {
    return `sip:${callee}@${this.core.host}:${this.core.port}`
  }

  /** Sends an INVITE with SDP (re-sent every 500 ms until any response), waits for the final response and ACKs a non-2xx one on the INVITE's branch. */
  async invite(opts: RawInvite): Promise<InviteOutcome> {
    const local = `${this.sock.address().address}:${this.localPort}`
    const branch = `z9hG4bK-dc-${randomBytes(6).toString('hex')}`
    const uri = this.requestUri(opts.callee)
    const from = `<sip:1000@${local}>;tag=${opts.fromTag}`
    const to = `<${uri}>`
    const sdp = `v=0\r\no=dc 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`
    const auth = opts.authorization ? `${opts.authorization[0]}: ${opts.authorization[1]}\r\n` : ''
    const invite =
      `INVITE ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP ${local};branch=${branch};rport\r\nMax-Forwards: 70\r\n` +
      `From: ${from}\r\nTo: ${to}\r\nCall-ID: ${opts.callId}\r\nCSeq: ${opts.cseq} INVITE\r\n` +
      `Contact: <sip:1000@${local}>\r\n${auth}Content-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(sdp)}\r\n\r\n${sdp}`
    const mine = (r: RawResponse): boolean =>
      r.headers.get('call-id')?.[0] === opts.callId && (r.headers.get('cseq')?.[0] ?? '').startsWith(`${opts.cseq} INVITE`)
    const responses: RawResponse[] = []
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000)
    let nextSendAt = 0
    let final: RawResponse | undefined
    while (final === undefined) {
      const now = Date.now()
      if (now > deadline) throw new Error(`no final response to INVITE ${opts.callId}/${opts.cseq}; got ${responses.map((r) => r.status).join(',') || 'nothing'}`)
      if (responses.length === 0 && now >= nextSendAt) {
        this.send(invite)
        nextSendAt = now + 500
      }
      await this.waitForMessage(Math.min(100, deadline - now))
      for (let r = this.inbox.shift(); r !== undefined; r = this.inbox.shift()) {
        if (!mine(r)) continue
        responses.push(r)
        if (r.status >= 200) final = r
      }
    }
    if (final.status >= 300) {
      // RFC 3261 §17.1.1.3: ACK for a non-2xx on the INVITE's branch, with the response's To (tag).
      this.send(
        `ACK ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP ${local};branch=${branch};rport\r\nMax-Forwards: 70\r\n` +
          `From: ${from}\r\nTo: ${final.headers.get('to')?.[0] ?? to}\r\nCall-ID: ${opts.callId}\r\nCSeq: ${opts.cseq} ACK\r\nContent-Length: 0\r\n\r\n`,
      )
    }
    return { responses, final }
  }

  /** Closes the socket. */
  close(): void {
    this.sock.close()
  }

  private send(text: string): void {
    this.sock.send(text, this.core.port, this.core.host)
  }

  private waitForMessage(ms: number): Promise<void> {
    if (this.inbox.length > 0) return Promise.resolve()
    return new Promise((ok) => {
      const t = setTimeout(() => { this.waiter = null; ok() }, Math.max(1, ms))
      this.waiter = () => { clearTimeout(t); this.waiter = null; ok() }
    })
  }
}
