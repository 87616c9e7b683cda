// Leg A: the caller's INVITE server transaction and our dialog with the caller (RFC 3261 §13.3 UAS, §12.1.1).
import type { Dialog } from '../../sip/dialog/dialog.js'
import { uasDialog } from '../../sip/dialog/dialog.js'
import { ReliableProvisionals, type ReliableProvisionalsUser } from '../../sip/dialog/reliable-provisionals.js'
import { UasAnswer, type UasAnswerUser } from '../../sip/dialog/uas-answer.js'
import { buildResponse, generateTag } from '../../sip/message/build.js'
import { EMPTY_BODY, type SipRequest } from '../../sip/message/message.js'
import type { InviteServerTransaction } from '../../sip/transaction/invite-server.js'
import type { ServerTransaction, TransactionUser } from '../../sip/transaction/types.js'
import { IGNORE_RESPONSES } from './ignore-responses.js'
import type { LegContext } from './leg-context.js'

function noop(): void {}

/** A bug in a deferred send: surfaced as the receive path would (the process guard logs and counts it). */
function rethrowLater(err: unknown): void {
  queueMicrotask(() => {
    throw err
  })
}

/** What leg A tells its call. */
export interface CallerLegOwner {
  /** RFC 3261 §13.3.1.4: the caller never ACKed our 2xx with CSeq `seq` within 64*T1. */
  onCallerAckTimeout(seq: number): void
  /** RFC 3262 §3: a reliable provisional was never PRACKed within 64*T1. */
  onCallerPrackTimeout(): void
}

/** What the caller's PRACK acknowledged: the reliable provisional's SDP and what waits for the PRACK's answer. */
export interface CallerPrack {
  /** The acknowledged provisional carried a session description. */
  readonly hadSdp: boolean
  /** Set when the provisional carried an offer (late offer): the PRACK's answer goes on to leg B. */
  readonly onAnswer: ((prack: SipRequest) => void) | undefined
}

/** How the caller takes reliable provisionals (RFC 3262 §3): not at all, when we choose, or every one. */
export type CallerReliability = 'none' | 'supported' | 'required'

/** The caller side of one call. */
export class UasLeg implements UasAnswerUser, ReliableProvisionalsUser {
  readonly side = 'a' as const
  /** The caller's INVITE until our final response to it goes out; nothing later reads it (the dialog has what it needs). */
  private req: SipRequest | null
  /** CSeq number of the caller's INVITE (merged-request check, §8.2.2.2; the 2xx's ACK wait, §13.3.1.4). */
  readonly inviteSeq: number
  readonly ist: InviteServerTransaction
  /** Our To tag, created once per call: every 18x and the final carry it (one dialog with the caller). */
  readonly tag: string
  readonly callId: string
  /** Caller's Call-ID + From tag (merged-request detection, §8.2.2.2). */
  readonly originKey: string
  dialog: Dialog | null = null
  /** The 2xx (initial or re-INVITE) waiting for the caller's ACK. */
  answer: UasAnswer | null = null
  private readonly ctx: LegContext
  private readonly owner: CallerLegOwner
  /** Contact, Allow, Supported and the caller's Record-Route (§12.1.1), written in every 18x and 2xx. */
  private readonly dialogHeaders: ReadonlyArray<readonly [string, string]>
  /** The last of the caller-bound steps waiting behind a journal write (null: nothing waits, send at once). */
  private held: Promise<void> | null = null
  /** Steps queued behind `held` and not yet settled. */
  private queued = 0
  /** Counts a settled step (made at the first `enqueue`, one per leg). */
  private stepDone: (() => void) | undefined = undefined
  /** RFC 3262 §3: our reliable provisionals on the INVITE, made at the first one. */
  private rel: ReliableProvisionals | null = null
  /** What waits for the caller's PRACK of each reliable provisional, by RSeq (made at the first: most calls have none). */
  private prackWaiters: Map<number, (prack: SipRequest) => void> | null = null
  /** RFC 3262 §3: the caller's INVITE named 100rel in Require or Supported. */
  readonly reliability: CallerReliability

  constructor(ctx: LegContext, owner: CallerLegOwner, invite: SipRequest, ist: InviteServerTransaction) {
    this.ctx = ctx
    this.owner = owner
    this.req = invite
    this.inviteSeq = invite.cseq?.seq ?? 0
    this.ist = ist
    this.tag = generateTag()
    this.callId = invite.callId ?? ''
    this.originKey = this.callId + '\n' + (invite.from?.tag ?? '')
    this.reliability = invite.require.includes('100rel') ? 'required' : invite.supported.includes('100rel') ? 'supported' : 'none'
    // RFC 3261 §12.1.1: the UAS copies Record-Route into dialog-forming responses; without any, the headers are the
    // node's for the transport, one array shared by every call.
    const rrs = invite.headers.lines('record-route')
    if (rrs.length === 0) this.dialogHeaders = sharedDialogHeaders(ctx, ctx.contactFor(ist.transport))
    else {
      const h: Array<readonly [string, string]> = []
      for (const rr of rrs) h.push(['Record-Route', rr])
      h.push(['Contact', ctx.contactFor(ist.transport)], ['Allow', ctx.allow], ['Supported', ctx.supported])
      this.dialogHeaders = h
    }
  }

  /** The caller's INVITE; only before our final response to it (a bug to ask later: the call let it go). */
  get invite(): SipRequest {
    if (this.req === null) throw new Error('the caller INVITE was let go after the final response')
    return this.req
  }

  /** True once a final response went out on the INVITE. */
  get finalSent(): boolean {
    return this.ist.state !== 'proceeding'
  }

  /**
   * Holds every message to the caller (100, 18x, the final, BYE) until `durable` settles: the call's start, then its
   * answer, on the journal's disk first, so a caller that saw the call admitted or answered finds it in a CDR after
   * any crash. Later messages queue behind it in order; nothing is dropped (a failed write is reported by the call).
   */
  holdUntil(durable: Promise<unknown>): void {
    this.enqueue(() => durable.then(noop, noop))
  }

  /** RFC 3261 §17.2.1: 100 Trying, once the call's start is journaled (the caller retransmits meanwhile; the IST absorbs it). */
  trying(): void {
    this.whenDurable(() => {
      if (!this.finalSent) this.ist.respond(buildResponse(this.invite, 100))
    })
  }

  /**
   * Relays a 18x (never 100: hop-by-hop) with our tag; the first one forms the early dialog (§12.1.1). `reliable`:
   * RFC 3262 §3 (Require: 100rel, RSeq, re-sent until PRACKed); `onPrack` then receives the caller's PRACK.
   */
  provisional(status: number, reason: string, body: Buffer, contentType: string | undefined, reliable = false, onPrack?: (prack: SipRequest) => void): void {
    this.whenDurable(() => {
      if (this.finalSent) return
      this.ensureDialog('early')
      const res = buildResponse(this.invite, status, { reason, toTag: this.tag, headers: this.dialogHeaders, body, contentType })
      if (!reliable) {
        this.ist.respond(res)
        return
      }
      const p = (this.rel ??= new ReliableProvisionals(this.ctx.layer, this.ist, this)).send(res)
      if (onPrack !== undefined) (this.prackWaiters ??= new Map()).set(p.rseq, onPrack)
    })
  }

  /** RFC 3262 §3: the caller's PRACK; null when its RAck names no unacknowledged provisional (the caller answers 481). */
  acknowledge(prack: SipRequest): CallerPrack | null {
    const m = this.rel?.onPrack(prack)
    if (m === undefined || !m.ok) return null
    const onAnswer = this.prackWaiters?.get(m.acked.rseq)
    this.prackWaiters?.delete(m.acked.rseq)
    return { hadSdp: m.acked.hasSdp, onAnswer }
  }

  /** After the 200 to a matched PRACK: the next reliable provisional, or a 2xx that waited for it (RFC 3262 §3), goes out. */
  afterPrack(): void {
    this.rel?.advance()
  }

  /** RFC 3262 §3: no PRACK within 64*T1 (the call rejects the INVITE with a 5xx). */
  onPrackTimeout(): void {
    this.owner.onCallerPrackTimeout()
  }

  /** Stops every retransmission toward the caller (the 2xx and reliable provisionals): the call ended. */
  stopRetransmissions(): void {
    this.answer?.stop()
    this.rel?.stop()
  }

  /** Sends the 200 with the callee's SDP (plus `extra` headers: RFC 4028 Session-Expires) and retransmits it until the ACK (§13.3.1.4). */
  answerCall(body: Buffer, contentType: string | undefined, extra: ReadonlyArray<readonly [string, string]> = []): void {
    // RFC 3262 §3: no 2xx while a reliable provisional with a session description is unacknowledged. (Inline arrows,
    // not a named local: tsx names every named closure with a defineProperty call.)
    this.whenDurable(() => (this.rel === null ? this.sendAnswer(body, contentType, extra) : this.rel.whenClear(() => this.sendAnswer(body, contentType, extra))))
  }

  private sendAnswer(body: Buffer, contentType: string | undefined, extra: ReadonlyArray<readonly [string, string]>): void {
    if (this.finalSent) return
    this.rel?.stop()
    const d = this.ensureDialog('confirmed')
    d.confirm()
    const headers = extra.length === 0 ? this.dialogHeaders : [...this.dialogHeaders, ...extra]
    const res = buildResponse(this.invite, 200, { toTag: this.tag, headers, body, contentType })
    this.answer = new UasAnswer(this.ctx.layer, this.ist, res, this)
    // Answered: the dialog and the 2xx carry what the call still needs; the parsed INVITE (headers, views, the
    // message's text) would otherwise live as long as the call.
    this.req = null
  }

  /** A final non-2xx on the INVITE (the IST retransmits it until the caller's ACK); the dialog, if early, ends. */
  reject(status: number, reason?: string, headers?: ReadonlyArray<readonly [string, string]>): void {
    this.whenDurable(() => {
      if (this.finalSent) return
      this.rel?.stop()
      this.ist.respond(buildResponse(this.invite, status, { toTag: this.tag, ...(reason === undefined ? {} : { reason }), ...(headers === undefined ? {} : { headers }) }))
      this.dialog?.terminate()
    })
  }

  /** A 2xx to a re-INVITE the caller sent (relayed from the callee), retransmitted until its ACK. */
  answerReinvite(ist: InviteServerTransaction, status: number, reason: string, body: Buffer, contentType: string | undefined): UasAnswer {
    const res = buildResponse(ist.request, status, { reason, headers: this.dialogHeaders, body, ...(contentType === undefined ? {} : { contentType }) })
    this.answer = new UasAnswer(this.ctx.layer, ist, res, this)
    return this.answer
  }

  /** Headers our 2xx to a target-refresh request carries (Contact, Allow, Supported). */
  get responseHeaders(): ReadonlyArray<readonly [string, string]> {
    return this.dialogHeaders
  }

  /** §13.3.1.4: the caller's ACK for our pending 2xx (matched by CSeq); returns whether it acknowledged one. */
  onAck(ack: SipRequest): boolean {
    const a = this.answer
    if (a === null || ack.cseq?.seq !== a.seq) return false
    if (!a.acked()) return false
    this.answer = null
    return true
  }

  /** §13.3.1.4: no ACK within 64*T1: the call ends with BYE on both legs. */
  onAnswerTimeout(answer: UasAnswer): void {
    if (this.answer === answer) this.answer = null
    this.owner.onCallerAckTimeout(answer.seq)
  }

  /** §15.1.1: BYE to the caller in our dialog (its responses are not needed); the dialog ends. */
  bye(): void {
    this.whenDurable(() => {
      this.answer?.stop()
      this.answer = null
      // A 2xx still held for a PRACK (RFC 3262 §3) never went out: the INVITE ends with 487 instead.
      if (!this.finalSent) {
        this.rel?.stop()
        this.ist.respond(buildResponse(this.invite, 487, { toTag: this.tag }))
        this.dialog?.terminate()
        return
      }
      const d = this.dialog
      if (d === null || d.state !== 'confirmed') return
      this.sendInDialog(d.createRequest('BYE'), IGNORE_RESPONSES)
      d.terminate()
    })
  }

  /** Sends a request built by our dialog through a new client transaction. */
  sendInDialog(req: SipRequest, user: TransactionUser): void {
    const d = this.dialog!
    this.ctx.layer.addVia(req, d.transport)
    this.ctx.layer.sendRequest(req, d.transport, d.nextHop(), user)
  }

  /** Answers an in-dialog request of the caller's (BYE 200, 481, 491...). */
  respond(tx: ServerTransaction, status: number, reason?: string, body: Buffer = EMPTY_BODY, contentType?: string): void {
    tx.respond(buildResponse(tx.request, status, { reason, body, contentType }))
  }

  /** Runs `send` now when nothing is held, else after what is queued (in order). */
  private whenDurable(send: () => void): void {
    if (this.held === null) send()
    else this.enqueue(send)
  }

  private enqueue(step: () => unknown): void {
    const run = (this.held ?? Promise.resolve()).then(step).then(noop, rethrowLater)
    this.held = run
    this.queued++
    // Steps settle in the order they were queued, so the last one queued settles when the count comes back to 0.
    void run.then((this.stepDone ??= () => {
      if (--this.queued === 0) this.held = null
    }))
  }

  private ensureDialog(state: 'early' | 'confirmed'): Dialog {
    if (this.dialog === null) {
      const d = uasDialog(this.invite, this.tag, this.ctx.contactFor(this.ist.transport), this.ist.source, this.ist.transport, state, this.ctx.layer.transports)
      // The layer validated From tag, Call-ID and CSeq; a missing one here is a bug upstream.
      if (d === undefined) throw new Error('caller INVITE cannot form a dialog')
      this.dialog = d
    }
    return this.dialog
  }
}

/** [Contact, Allow, Supported] of the node for one Contact value: the node's own array for its main Contact, else one per Contact (a few: one per transport). */
const byContact = new WeakMap<LegContext, Map<string, ReadonlyArray<readonly [string, string]>>>()
function sharedDialogHeaders(ctx: LegContext, contact: string): ReadonlyArray<readonly [string, string]> {
  let m = byContact.get(ctx)
  if (m === undefined) byContact.set(ctx, (m = new Map()))
  let h = m.get(contact)
  if (h === undefined) m.set(contact, (h = [['Contact', contact], ['Allow', ctx.allow], ['Supported', ctx.supported]]))
  return h
}
