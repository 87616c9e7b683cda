// Dialog lookup (RFC 3261 §12.2.2): an in-dialog request or a response finds its dialog by Call-ID and our tag, then checks the remote tag.
import type { SipRequest, SipResponse } from '../message/message.js'
import type { Dialog } from './dialog.js'

/** Anything that owns one dialog at a time (a call leg); its dialog may be absent until the first 1xx/2xx. */
export interface DialogHolder {
  readonly dialog: Dialog | null
}

/** The table key of a dialog: Call-ID and our tag (unique: our tags are 64 random bits). */
export function dialogKey(callId: string, localTag: string): string {
  return callId + '\n' + localTag
}

/** Holders by Call-ID + local tag; one Map lookup per in-dialog message. */
export class DialogTable<T extends DialogHolder> {
  private readonly byKey = new Map<string, T>()

  /** Entries in the table. */
  get size(): number {
    return this.byKey.size
  }

  /** Registers `holder` under our tag (before the dialog exists, so early responses and requests find it). */
  add(callId: string, localTag: string, holder: T): void {
    this.byKey.set(dialogKey(callId, localTag), holder)
  }

  /** Forgets the entry when it still belongs to `holder`. */
  remove(callId: string, localTag: string, holder: T): void {
    const k = dialogKey(callId, localTag)
    if (this.byKey.get(k) === holder) this.byKey.delete(k)
  }

  /** The holder of Call-ID + local tag; when `remoteTag` is given and the holder has a dialog, its remote tag must match. */
  find(callId: string, localTag: string, remoteTag?: string): T | undefined {
    const h = this.byKey.get(dialogKey(callId, localTag))
    if (h === undefined) return undefined
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
  values(): IterableIterator<T> {
    return this.byKey.values()
  }
}
