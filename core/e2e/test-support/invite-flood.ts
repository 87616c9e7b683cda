// A flooding sender for system tests: many distinct INVITEs from one loopback address, and every answer counted per request at the sender.
import { createSocket } from 'node:dgram'

/** What the sender saw: requests sent, answers per Call-ID, and every answer's status. */
export interface FloodResult {
  sent: number
  /** Answers per request (Call-ID) that got any. */
  answersPerRequest: Map<string, number>
  statuses: number[]
}

/**
 * Sends `count` INVITEs (each its own branch and Call-ID) from `localIp` to 127.0.0.1:`port` in bursts of `burst`
 * per event-loop turn, then keeps listening `listenMs` more so retransmissions (Timer G) would be counted too.
 */
export async function floodInvites(opts: { port: number; localIp: string; count: number; burst?: number; listenMs: number; tag?: string }): Promise<FloodResult> {
  const sock = createSocket('udp4')
  await new Promise<void>((ok, fail) => {
    sock.once('error', fail)
    sock.bind(0, opts.localIp, () => ok())
  })
  const local = `${opts.localIp}:${sock.address().port}`
  const answersPerRequest = new Map<string, number>()
  const statuses: number[] = []
  sock.on('message', (buf) => {
    const text = buf.toString('latin1')
    const m = /^SIP\/2\.0 (\d{3}) /.exec(text)
    if (m === null) return
    statuses.push(Number(m[1]))
    const callId = /\r\nCall-ID:\s*([^\r\n]+)/i.exec(text)?.[1]?.trim() ?? ''
    answersPerRequest.set(callId, (answersPerRequest.get(callId) ?? 0) + 1)
  })
  const tag = opts.tag ?? 'f'
  const burst = opts.burst ?? 200
  let sent = 0
  while (sent < opts.count) {
    for (let i = 0; i < burst && sent < opts.count; i++, sent++) {
      const id = `${tag}${sent}`
      sock.send(
        `INVITE sip:4930${sent}@127.0.0.1:${opts.port} SIP/2.0\r\nVia: SIP/2.0/UDP ${local};branch=z9hG4bK-${id};rport\r\nMax-Forwards: 70\r\n` +
          `From: <sip:1000@${local}>;tag=${id}\r\nTo: <sip:4930${sent}@127.0.0.1>\r\nCall-ID: ${id}@flood\r\nCSeq: 1 INVITE\r\n` +
          `Contact: <sip:1000@${local}>\r\nContent-Length: 0\r\n\r\n`,
        opts.port, '127.0.0.1',
      )
    }
    await new Promise((ok) => setImmediate(ok))
  }
  await new Promise((ok) => setTimeout(ok, opts.listenMs))
  sock.close()
  return { sent, answersPerRequest, statuses }
}
