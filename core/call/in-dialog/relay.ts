// Passes one in-dialog non-INVITE request to the other leg as a new request of that leg's dialog and relays its final response back (RFC 3261 §12.2.1.1, §17.1.2).
import { buildResponse } from '../../sip/message/build.js'
import type { SipResponse } from '../../sip/message/message.js'
import type { ClientTransaction, ServerTransaction, TransactionUser } from '../../sip/transaction/types.js'
import type { Leg } from '../legs/leg.js'
import type { DialogCall } from './dialog-call.js'

/** Headers copied across with the body (RFC 6086 Info-Package); RFC 4028 headers are per leg (call-session.ts), never copied. */
const COPIED = ['info-package'] as const

/** The client side of one relayed request; its final response answers the server transaction it came from. */
export class RequestRelay implements TransactionUser {
  private readonly call: DialogCall
  private readonly from: Leg
  private readonly to: Leg
  private readonly tx: ServerTransaction
  private done = false

  constructor(call: DialogCall, from: Leg, to: Leg, tx: ServerTransaction) {
    this.call = call
    this.from = from
    this.to = to
    this.tx = tx
  }

  /** Builds the request in the other leg's dialog (its Call-ID, tags, CSeq, route set) and sends it; 481 when that dialog is gone. */
  start(): void {
    const req = this.tx.request
    const d = this.to.dialog
    if (d === null || d.state === 'terminated') return this.answer(481)
    // RFC 3311 §5.1: an UPDATE may carry an offer; it goes through the media anchor (other bodies are not SDP and pass).
    const body = req.method === 'UPDATE' ? this.call.callMedia.fromSide(this.from.side, 'offer', req.body, req.headers.first('content-type')) : req.body
    const out = d.createRequest(req.method, body, req.headers.first('content-type'), Math.max(0, (req.maxForwards ?? 70) - 1))
    for (const name of COPIED) {
      const v = req.headers.first(name)
      if (v !== undefined) out.headers.append(name, v)
    }
    if (req.method === 'UPDATE') {
      for (const [n, v] of this.call.sessions.requestHeaders(this.to)) out.headers.append(n, v)
      this.call.sessions.sdpSent(this.to, out.body, out.headers.first('content-type'))
    }
    this.to.sendInDialog(out, this)
  }

  /** The other leg's final response goes back with its body; a 2xx to a target refresh (UPDATE) refreshes both targets. */
  onResponse(res: SipResponse, _tx: ClientTransaction): void {
    if (res.status < 200 || this.done) return
    const ok = res.status < 300
    if (ok && this.tx.request.method === 'UPDATE') {
      // RFC 3311 §5.2 / RFC 3261 §12.2: UPDATE is a target-refresh request.
      this.to.dialog?.refreshTarget(res)
      this.from.dialog?.refreshTarget(this.tx.request)
    }
    const ct = res.headers.first('content-type')
    const body = ok && this.tx.request.method === 'UPDATE' && this.tx.request.body.length > 0 ? this.call.callMedia.fromSide(this.to.side, 'answer', res.body, ct) : res.body
    const headers = ok ? [...this.call.ctx.dialogHeaders] : []
    if (ok && this.tx.request.method === 'UPDATE') {
      // RFC 4028 §10: a 2xx to an UPDATE refreshes both legs' sessions; the sender's 2xx carries its own terms (§9).
      headers.push(...this.call.sessions.relayAnswered(this.from, this.to, this.tx.request, res))
      this.call.sessions.sdpSent(this.from, body, ct)
    }
    this.done = true
    this.tx.respond(buildResponse(this.tx.request, res.status, { reason: res.reason, headers, body, ...(ct === undefined ? {} : { contentType: ct }) }))
  }

  /** Timer F: the other side never answered -> 408. */
  onTimeout(): void {
    this.answer(408)
  }

  /** The request could not be sent -> 503. */
  onTransportError(): void {
    this.answer(503)
  }

  private answer(status: number): void {
    if (this.done) return
    this.done = true
    this.tx.respond(buildResponse(this.tx.request, status))
  }
}

/** Relays `tx` from `leg` to the other leg of `call`; 481 when there is none. */
export function relayToOtherLeg(call: DialogCall, leg: Leg, tx: ServerTransaction): void {
  const other = call.otherLeg(leg)
  if (other === null) {
    tx.respond(buildResponse(tx.request, 481))
    return
  }
  new RequestRelay(call, leg, other, tx).start()
}
