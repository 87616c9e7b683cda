// Counts SIP messages in and out by method (requests) and status (responses) for /metrics, with cached series so the hot path does no label joins.
import type { CounterSeries, Metric, Metrics } from '../../lib/metrics.js'
import type { SipMessage } from '../message/message.js'

/** Methods with their own label; anything else (RFC 4475 intmeth.dat, typos) counts as `other` so labels stay bounded. */
const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'UPDATE', 'INFO', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'PUBLISH',
])

/** One labelled counter family with a per-label cache. */
export class Family {
  private readonly cache = new Map<string | number, CounterSeries>()

  constructor(private readonly metric: Metric) {}

  inc(label: string | number): void {
    let s = this.cache.get(label)
    if (s === undefined) {
      s = this.metric.labels(String(label))
      this.cache.set(label, s)
    }
    s.inc()
  }
}

/** `sip_requests_{received,sent}_total{method}` and `sip_responses_{received,sent}_total{status}`; retransmissions are counted apart. */
export class MessageCounters {
  private readonly reqIn: Family
  private readonly resIn: Family
  private readonly reqOut: Family
  private readonly resOut: Family

  constructor(m: Metrics) {
    this.reqIn = new Family(m.counter('sip_requests_received_total', 'Parsed SIP requests received, by method', ['method']))
    this.resIn = new Family(m.counter('sip_responses_received_total', 'Parsed SIP responses received, by status', ['status']))
    this.reqOut = new Family(m.counter('sip_requests_sent_total', 'SIP requests sent (first transmissions), by method', ['method']))
    this.resOut = new Family(m.counter('sip_responses_sent_total', 'SIP responses sent (first transmissions), by status', ['status']))
  }

  /** Counts one message received. */
  received(msg: SipMessage): void {
    if (msg.isRequest) this.reqIn.inc(methodLabel(msg.method))
    else this.resIn.inc(msg.status)
  }

  /** Counts one message sent for the first time. */
  sent(msg: SipMessage): void {
    if (msg.isRequest) this.reqOut.inc(methodLabel(msg.method))
    else this.resOut.inc(msg.status)
  }

  /** Counts one response sent, by its status (bytes written without a response object). */
  sentResponse(status: number): void {
    this.resOut.inc(status)
  }

  /** Counts one request sent, by its method (bytes re-sent without their message). */
  sentRequest(method: string): void {
    this.reqOut.inc(methodLabel(method))
  }
}

/** The label for a method: itself when well known, else `other`. */
export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'other'
}
