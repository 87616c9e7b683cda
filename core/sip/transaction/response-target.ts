// RFC 3261 §18.2.1 / RFC 3581 stamping of received/rport on arriving requests and the §18.2.2 response target: always the source address.
import type { RemoteAddr } from '../../transport/types.js'
import { TOKEN } from '../message/headers/lexer.js'
import { NO_PARAMS } from '../message/headers/params.js'
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

/**
 * Adds `received=<source address>` when the sent-by host differs from it (RFC 3261 §18.2.1) or rport was asked for,
 * and fills `rport=<source port>` (RFC 3581 §4), rewriting the request's top Via; returns whether it changed. The
 * parsed top Via is the request's own (nothing else holds it this early), so it is updated in place, not copied.
 */
export function stampReceived(req: SipRequest, source: RemoteAddr): boolean {
  const via = req.topVia
  if (via === undefined) return false
  const wantRport = via.rport !== undefined
  if (!wantRport && sameHost(via.host, source.address)) return false
  const raw = req.headers.first('via')
  if (raw === undefined) return false
  const semi = raw.indexOf(';')
  let text = semi === -1 ? raw : raw.slice(0, semi).trimEnd()
  const port = wantRport ? String(source.port) : undefined
  // Written in the Map's order, received and rport in their places when present, as Map.set would leave them.
  for (const [name, value] of via.params) {
    text += paramText(name, name === 'received' ? source.address : name === 'rport' && port !== undefined ? port : value)
  }
  const params = via.params === NO_PARAMS ? new Map<string, string | null>() : (via.params as Map<string, string | null>)
  if (!params.has('received')) text += paramText('received', source.address)
  params.set('received', source.address)
  if (port !== undefined) params.set('rport', port)
  via.params = params
  via.received = source.address
  if (wantRport) via.rport = source.port
  // The new top Via's parsed form is known, so it is kept instead of being parsed again by every later reader.
  req.replaceTopVia(text, via)
  return true
}
