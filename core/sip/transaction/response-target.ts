// RFC 3261 §18.2.1 / RFC 3581 stamping of received/rport on arriving requests and the §18.2.2 response target: always the source address.
import type { RemoteAddr } from '../../transport/types.js'
import { TOKEN } from '../message/headers/lexer.js'
import { ParamScanner } from '../message/headers/params.js'
import { stampedVia } from '../message/headers/via.js'
import type { SipRequest, Via } from '../message/message.js'
import { defaultPort } from './key.js'

/**
 * Where responses to a request go: the source address, at the source port when the top Via asked for rport
 * (RFC 3581 §4) or the transport is reliable, else at the sent-by port (default 5060/5061).
 * Deviation: RFC 3261 §18.2.2 would use `maddr` or the sent-by host; a carrier answers the source address only.
 */
export function responseTarget(via: Via, source: RemoteAddr, reliable: boolean): RemoteAddr {
  if (reliable || via.rport !== undefined) return source
  const port = via.port ?? defaultPort(via.transport)
  return port === source.port ? source : { address: source.address, port, family: source.family }
}

function sameHost(viaHost: string, address: string): boolean {
  // Via hosts are lowercase and bracket IPv6; node reports IPv6 without brackets.
  if (viaHost.charCodeAt(0) === 91) return viaHost.length === address.length + 2 && viaHost.slice(1, -1) === address.toLowerCase()
  return viaHost === address
}

function paramText(name: string, value: string | null): string {
  if (value === null) return ';' + name
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (!(c < 128 && (TOKEN[c] === 1 || c === 58 || c === 91 || c === 93))) {
      return ';' + name + '="' + value.replaceAll('\\', '\\\\').replaceAll('"', '\\"') + '"'
    }
  }
  return ';' + name + '=' + value
}

/** The stamp's parameter scanner (never re-entered). */
const SCAN = new ParamScanner()

/**
 * Adds `received=<source address>` when the sent-by host differs from it (RFC 3261 §18.2.1) or rport was asked for,
 * and fills `rport=<source port>` (RFC 3581 §4), rewriting the request's top Via; returns whether it changed.
 */
export function stampReceived(req: SipRequest, source: RemoteAddr): boolean {
  const via = req.topVia
  if (via === undefined) return false
  const wantRport = via.rport !== undefined
  if (!wantRport && sameHost(via.host, source.address)) return false
  const raw = req.headers.first('via')
  if (raw === undefined) return false
  const semi = raw.indexOf(';')
  const head = semi === -1 ? raw : raw.slice(0, semi).trimEnd()
  const port = wantRport ? String(source.port) : undefined
  // The parameters in their order, received and rport rewritten in place, received appended when absent: what
  // Map.set on the parsed parameters would leave. A repeated name (collapsed by a Map) takes the Map's way.
  let text = head
  let hasReceived = false
  const seen: string[] = []
  const scan = semi === -1 ? undefined : SCAN.start(raw, semi)
  while (scan !== undefined && scan.next()) {
    const name = scan.name
    if (seen.includes(name)) return stampOverMap(req, via, head, source, port)
    seen.push(name)
    if (name === 'received') hasReceived = true
    text += paramText(name, name === 'received' ? source.address : name === 'rport' && port !== undefined ? port : scan.value)
  }
  if (!hasReceived) text += paramText('received', source.address)
  // The new top Via's parsed form is known, so it is kept instead of being parsed again by every later reader.
  req.replaceTopVia(text, stampedVia(via, text, head.length, source.address, wantRport ? source.port : via.rport))
  return true
}

/** stampReceived for parameters that repeat a name: written from the parsed Map, which keeps the last value of each. */
function stampOverMap(req: SipRequest, via: Via, head: string, source: RemoteAddr, port: string | undefined): boolean {
  const params = new Map(via.params)
  params.set('received', source.address)
  if (port !== undefined) params.set('rport', port)
  let text = head
  for (const [name, value] of params) text += paramText(name, value)
  const stamped = stampedVia(via, text, head.length, source.address, port !== undefined ? source.port : via.rport)
  stamped.params = params
  req.replaceTopVia(text, stamped)
  return true
}
