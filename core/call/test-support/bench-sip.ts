// Benchmark support: the scripted peers' SIP text (a header's value as our serializer writes it, a response to a request's text) and a gateway that answers every INVITE.
import type { LoopNetwork } from '../../transport/loop.js'
import type { RemoteAddr, Transport } from '../../transport/types.js'

/** Value of a header line as our serializer writes it (`\r\nName: value\r\n`). */
export function header(s: string, name: string): string {
  const i = s.indexOf('\r\n' + name + ': ')
  const start = i + name.length + 4
  return s.slice(start, s.indexOf('\r\n', start))
}

/** The response `status` to the request text `s` (its Via, From, To with our tag `g` when it has none, Call-ID, CSeq), `extra` header lines and `body`. */
export function responseTo(s: string, status: string, extra: string, body = ''): Buffer {
  const to = header(s, 'To')
  return Buffer.from(
    `SIP/2.0 ${status}\r\nVia: ${header(s, 'Via')}\r\nFrom: ${header(s, 'From')}\r\nTo: ${to.includes('tag=') ? to : to + ';tag=g'}\r\n` +
      `Call-ID: ${header(s, 'Call-ID')}\r\nCSeq: ${header(s, 'CSeq')}\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`, 'latin1')
}

/** A gateway on the loop network at `address:port` answering each INVITE 180 then 200 with `sdp` (`okExtra` header lines in the 200), each BYE 200; returns its transport. */
export function answeringGateway(net: LoopNetwork, address: string, port: number, core: RemoteAddr, sdp: string, okExtra = ''): Transport {
  const contact = `Contact: <sip:gw@${address}:${port}>\r\n`
  return net.open({
    onMessage(buf: Buffer, _from: RemoteAddr, t: Transport) {
      const s = buf.toString('latin1')
      if (s.startsWith('INVITE')) {
        t.send(responseTo(s, '180 Ringing', contact), core)
        t.send(responseTo(s, '200 OK', `${contact}${okExtra}Content-Type: application/sdp\r\n`, sdp), core)
      } else if (s.startsWith('BYE')) t.send(responseTo(s, '200 OK', ''), core)
    },
  }, address, port)
}
