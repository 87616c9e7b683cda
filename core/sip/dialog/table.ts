// Dialog lookup (RFC 3261 §12.2.2): an in-dialog request or a response finds its dialog by our tag and Call-ID, then checks the remote tag.
import type { SipRequest, SipResponse } from '../message/message.js'
import type { Dialog } from './dialog.js'

/** Anything that owns one dialog at a time (a call leg); its dialog may be absent until the first 1xx/2xx. */
export interface DialogHolder {
  readonly dialog: Dialog | null
}

/** A holder and the Call-ID it was registered under. */
class Slot<T> {
  constructor(
    readonly callId: string,
    readonly holder: T,
  ) {}
}

/**
 * Holders by our tag, each checked against its Call-ID: one Map lookup per in-dialog message on a string the message
 * already has, not a Call-ID + tag key built and hashed per message. Our tags are unique (64 random bits each).
 */
export class DialogTable<T extends DialogHolder> {
  private readonly byTag = new Map<string, Slot<T>>()

  /** Entries in the table. */
  get size(): number {
    return this.byTag.size
  }

  /** Registers `holder` under our tag (before the dialog exists, so early responses and requests find it). */
  add(callId: string, localTag: string, holder: T): void {
    this.byTag.set(localTag, new Slot(callId, holder))
  }

  /** Forgets the entry when it still belongs to `holder`. */
  remove(callId: string, localTag: string, holder: T): void {
    const slot = this.byTag.get(localTag)
    if (slot !== undefined && slot.holder === holder && slot.callId === callId) this.byTag.delete(localTag)
  }

  /** The holder of Call-ID + local tag; when `remoteTag` is given and the holder has a dialog, its remote tag must match. */
  find(callId: string, localTag: string, remoteTag?: string): T | undefined {
    const slot = this.byTag.get(localTag)
    if (slot === undefined || slot.callId !== callId) return undefined
    const h = slot.holder
    if (remoteTag !== undefined && h.dialog !== null && h.dialog.remoteTag !== remoteTag && h.dialog.state === 'confirmed') return undefined
    return h
  }

  /** RFC 3261 §12.2.2: a request in a dialog names our tag in To and the peer's in From. */
  findForRequest(req: SipRequest): T | undefined {
    const callId = req.callId
    const local = req.to?.tag
    if (callId === undefined || local === undefined) return undefined
    return this.find(callId, local, req.from?.tag)
  }

  /** A response to our request names our tag in From and the peer's in To. */
  findForResponse(res: SipResponse): T | undefined {
    const callId = res.callId
    const local = res.from?.tag
    if (callId === undefined || local === undefined) return undefined
    return this.find(callId, local)
  }

  /** Every holder (shutdown walks them). */
  *values(): IterableIterator<T> {
    for (const slot of this.byTag.values()) yield slot.holder
  }
}
