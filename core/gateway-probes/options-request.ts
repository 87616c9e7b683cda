// Builds the out-of-dialog OPTIONS a node sends to probe a gateway (RFC 3261 §11.1), and the RTT summary of a series of probes.
import { generateCallId, generateTag } from '../sip/message/build.js'
import { HeaderList } from '../sip/message/header-list.js'
import { EMPTY_BODY, SipRequest } from '../sip/message/message.js'

/** `host:port` with an IPv6 host bracketed. */
export function hostPort(host: string, port: number): string {
  return (host.indexOf(':') !== -1 ? '[' + host + ']' : host) + ':' + port
}

/** RFC 3261 §11.1: OPTIONS to `sip:host:port` with Max-Forwards, From/To/Call-ID/CSeq and Accept (no Via: the layer adds it). */
export function buildOptions(target: string, localHostPort: string, seq = 1): SipRequest {
  const ruri = 'sip:' + target
  const h = new HeaderList()
  h.append('max-forwards', '70')
  h.append('from', '<sip:ping@' + localHostPort + '>;tag=' + generateTag())
  h.append('to', '<' + ruri + '>')
  h.append('call-id', generateCallId())
  h.append('cseq', seq + ' OPTIONS')
  h.append('accept', 'application/sdp')
  return new SipRequest('OPTIONS', ruri, h, EMPTY_BODY)
}

/** The result of an on-demand network test (API: POST /v1/routing-gateways/{id}/network-test). */
export interface NetworkTestResult {
  sent: number
  received: number
  lossRatio: number
  rttMs: { min: number; avg: number; max: number } | null
  /** Status of the last answer (null when none came). */
  lastCode: number | null
}

/** Summarises `sent` probes and the RTTs of those answered. */
export function summariseProbes(sent: number, rtts: readonly number[], lastCode: number | null): NetworkTestResult {
  const received = rtts.length
  const lossRatio = sent === 0 ? 0 : (sent - received) / sent
  if (received === 0) return { sent, received, lossRatio, rttMs: null, lastCode }
  let min = Infinity
  let max = 0
  let sum = 0
  for (const r of rtts) {
    min = Math.min(min, r)
    max = Math.max(max, r)
    sum += r
  }
  return { sent, received, lossRatio, rttMs: { min: Math.round(min), avg: Math.round(sum / received), max: Math.round(max) }, lastCode }
}
