// A raw UDP customer for the media system tests: INVITE with SDP naming its own RTP socket, ACK, BYE, 200 to the core's BYE, RTP sent at 50 pps and every RTP packet received kept (SIPp cannot tell the test the core's relay port or hand over what it received).
import { randomBytes } from 'node:crypto'
import { createSocket, type Socket } from 'node:dgram'

/** One SIP message as received: start line, lowercase header -> values, body. */
export interface RawSip {
  start: string
  headers: Map<string, string[]>
  body: string
}

function parseSip(text: string): RawSip {
  const [head = '', body = ''] = text.split('\r\n\r\n', 2)
  const lines = head.split('\r\n')
  const headers = new Map<string, string[]>()
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':')
    if (i <= 0) continue
    const name = line.slice(0, i).trim().toLowerCase()
    headers.set(name, [...(headers.get(name) ?? []), line.slice(i + 1).trim()])
  }
  return { start: lines[0] ?? '', headers, body }
}

const h = (m: RawSip, name: string): string => m.headers.get(name)?.[0] ?? ''

/** A caller with a SIP socket and an RTP socket on 127.0.0.1, for one call at a time. */
export class MediaCustomer {
  readonly inbox: RawSip[] = []
  /** Every datagram that reached the RTP socket, in arrival order. */
  readonly rtpIn: Buffer[] = []
  /** The core's BYE, once it came (answered 200 at once). */
  byeAt: number | null = null
  private callId = ''
  private fromTag = ''
  private toHeader = ''
  private remoteTarget = ''
  private cseq = 1
  private rtpTimer: NodeJS.Timeout | null = null
  /** RTP packets sent since the last startRtp (a loaded machine fires the 20 ms timer late, so tests wait for a count). */
  rtpSent = 0

  private constructor(private readonly sip: Socket, private readonly rtp: Socket, private readonly corePort: number) {
    sip.on('message', (buf) => this.onSip(parseSip(buf.toString('utf8'))))
    rtp.on('message', (buf) => this.rtpIn.push(buf))
  }

  /** Binds both sockets. */
  static async open(corePort: number): Promise<MediaCustomer> {
    const bind = async (): Promise<Socket> => {
      const s = createSocket('udp4')
      await new Promise<void>((ok) => s.bind(0, '127.0.0.1', () => ok()))
      return s
    }
    return new MediaCustomer(await bind(), await bind(), corePort)
  }

  get rtpPort(): number {
    return this.rtp.address().port
  }

  private get local(): string {
    return `127.0.0.1:${this.sip.address().port}`
  }

  /** INVITE (PCMU offer on our RTP port) -> waits for 200 -> ACK; returns the 200 (its SDP names the core's relay port). */
  async call(callee: string, timeoutMs = 10_000): Promise<RawSip> {
    this.callId = `media-${randomBytes(6).toString('hex')}`
    this.fromTag = randomBytes(4).toString('hex')
    const uri = `sip:${callee}@127.0.0.1:${this.corePort}`
    const sdp = `v=0\r\no=mc 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${this.rtpPort} RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n`
    this.send(
      `INVITE ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP ${this.local};branch=z9hG4bK-${randomBytes(6).toString('hex')};rport\r\nMax-Forwards: 70\r\n` +
        `From: <sip:1000@${this.local}>;tag=${this.fromTag}\r\nTo: <${uri}>\r\nCall-ID: ${this.callId}\r\nCSeq: 1 INVITE\r\n` +
        `Contact: <sip:1000@${this.local}>\r\nContent-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(sdp)}\r\n\r\n${sdp}`,
    )
    const ok = await this.waitFor((m) => m.start.startsWith('SIP/2.0 2') && h(m, 'cseq').endsWith('INVITE'), timeoutMs)
    this.toHeader = h(ok, 'to')
    this.remoteTarget = /<([^>]+)>/.exec(h(ok, 'contact'))?.[1] ?? uri
    this.inDialog('ACK', 1)
    return ok
  }

  /** Sends PCMU silence at 50 pps to `port` (the core's relay) until `stopRtp()`. */
  startRtp(port: number, ssrc = 0x1234): void {
    let seq = 1
    this.rtpSent = 0
    const pkt = (): Buffer => {
      const b = Buffer.alloc(172, 0xff)
      b[0] = 0x80
      b[1] = 0
      b.writeUInt16BE(seq & 0xffff, 2)
      b.writeUInt32BE((seq * 160) >>> 0, 4)
      b.writeUInt32BE(ssrc, 8)
      seq++
      return b
    }
    this.rtpTimer = setInterval(() => {
      this.rtp.send(pkt(), port, '127.0.0.1')
      this.rtpSent++
    }, 20)
  }

  stopRtp(): void {
    if (this.rtpTimer !== null) clearInterval(this.rtpTimer)
    this.rtpTimer = null
  }

  /** BYE in our dialog and waits for its 200. */
  async bye(): Promise<void> {
    this.cseq++
    this.inDialog('BYE', this.cseq)
    await this.waitFor((m) => m.start.startsWith('SIP/2.0 200') && h(m, 'cseq').endsWith('BYE'), 5_000)
  }

  /** Waits until the core's BYE arrived (it is answered on arrival); resolves to its arrival time or null at the deadline. */
  async waitBye(timeoutMs: number): Promise<number | null> {
    const end = Date.now() + timeoutMs
    while (this.byeAt === null && Date.now() < end) await new Promise((ok) => setTimeout(ok, 20))
    return this.byeAt
  }

  close(): void {
    this.stopRtp()
    this.sip.close()
    this.rtp.close()
  }

  private inDialog(method: 'ACK' | 'BYE', seq: number): void {
    this.send(
      `${method} ${this.remoteTarget} SIP/2.0\r\nVia: SIP/2.0/UDP ${this.local};branch=z9hG4bK-${randomBytes(6).toString('hex')};rport\r\nMax-Forwards: 70\r\n` +
        `From: <sip:1000@${this.local}>;tag=${this.fromTag}\r\nTo: ${this.toHeader}\r\nCall-ID: ${this.callId}\r\nCSeq: ${seq} ${method}\r\nContent-Length: 0\r\n\r\n`,
    )
  }

  private onSip(m: RawSip): void {
    if (m.start.startsWith('BYE ')) {
      this.byeAt ??= Date.now()
      const via = (m.headers.get('via') ?? []).map((v) => `Via: ${v}\r\n`).join('')
      this.send(`SIP/2.0 200 OK\r\n${via}From: ${h(m, 'from')}\r\nTo: ${h(m, 'to')}\r\nCall-ID: ${h(m, 'call-id')}\r\nCSeq: ${h(m, 'cseq')}\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    this.inbox.push(m)
  }

  private async waitFor(match: (m: RawSip) => boolean, timeoutMs: number): Promise<RawSip> {
    const end = Date.now() + timeoutMs
    for (;;) {
      const i = this.inbox.findIndex(match)
      if (i !== -1) return this.inbox.splice(i, 1)[0]!
      if (Date.now() > end) throw new Error(`no matching SIP message; got: ${this.inbox.map((x) => x.start).join(' | ') || 'nothing'}`)
      await new Promise((ok) => setTimeout(ok, 10))
    }
  }

  private send(text: string): void {
    this.sip.send(text, this.corePort, '127.0.0.1')
  }
}
