// The UAC core's side of RFC 3262 §4: which reliable provisionals are new (PRACK them) and which are retransmissions or out of order (discard), per early dialog, and the PRACK itself.
import { parseRSeq } from '../message/headers/rack.js'
import type { SipRequest, SipResponse } from '../message/message.js'
import type { Dialog } from './dialog.js'

/** What a 1xx to our INVITE is: unreliable, a new reliable one (PRACK it) or one to discard (§4). */
export type ProvisionalKind = { kind: 'unreliable' } | { kind: 'new'; rseq: number } | { kind: 'discard' }

/** True when `res` asks for reliability: Require: 100rel with an RSeq (RFC 3262 §3, §7.1). */
export function isReliable(res: SipResponse): boolean {
  return res.status > 100 && res.status < 200 && res.require.includes('100rel')
}

/** The in-order RSeq of each early dialog (To tag) of one INVITE, until its final response. */
export class ProvisionalSequence {
  /** By To tag; made at the first reliable provisional (most INVITEs get none). */
  private last: Map<string, number> | null = null

  /**
   * RFC 3262 §4: the first reliable provisional of a dialog sets the sequence; a later one is new only with the next
   * RSeq. A retransmission (same or lower RSeq) or a gap (out of order) is discarded and never PRACKed.
   */
  classify(res: SipResponse): ProvisionalKind {
    if (!isReliable(res)) return { kind: 'unreliable' }
    const rseq = parseRSeq(res.headers.first('rseq'))
    // Deviation: §7.1 makes RSeq mandatory; a reliable provisional without a usable one is passed on unreliably.
    if (rseq === undefined) return { kind: 'unreliable' }
    const tag = res.to?.tag ?? ''
    const last = (this.last ??= new Map())
    const prev = last.get(tag)
    if (prev !== undefined && rseq !== prev + 1) return { kind: 'discard' }
    last.set(tag, rseq)
    return { kind: 'new', rseq }
  }
}

/** RFC 3262 §7.2: the PRACK in `dialog` for the provisional numbered `rseq` to the INVITE with CSeq `inviteSeq` (an SDP answer in `body` when it carried an offer, §5). */
export function buildPrack(dialog: Dialog, rseq: number, inviteSeq: number, body?: Buffer, contentType?: string): SipRequest {
  const req = dialog.createRequest('PRACK', body, contentType)
  req.headers.append('rack', `${rseq} ${inviteSeq} INVITE`)
  return req
}
