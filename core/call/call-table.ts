// Active calls: their legs by Call-ID + our tag (in-dialog requests, ACKs and 2xx of either leg) and by the caller's Call-ID + From tag (RFC 3261 §8.2.2.2 merged requests).
import type { SipRequest, SipResponse } from '../sip/message/message.js'
import { DialogTable, type DialogHolder } from '../sip/dialog/table.js'
import type { Dialog } from '../sip/dialog/dialog.js'
import type { Call, CallRegistry } from './call.js'
import type { Leg } from './legs/leg.js'
import type { UacLeg } from './legs/uac-leg.js'

/** A leg and the call it belongs to, as the table finds them. */
export class LegEntry implements DialogHolder {
  constructor(
    readonly call: Call,
    readonly leg: Leg,
  ) {}

  /** The leg's dialog as it is now (it forms and changes after the leg is registered). */
  get dialog(): Dialog | null {
    return this.leg.dialog
  }
}

/** One Map per lookup kind; `size` is the number of active calls. */
export class CallTable implements CallRegistry {
  private readonly legs = new DialogTable<LegEntry>()
  private readonly origins = new Map<string, Call>()

  /** Active calls. */
  get size(): number {
    return this.origins.size
  }

  /** Registered legs (the A leg of each call plus its current B attempt). */
  get legCount(): number {
    return this.legs.size
  }

  /** Registers a call under its caller's Call-ID + From tag and its A leg under our To tag. */
  addCall(call: Call): void {
    this.origins.set(call.a.originKey, call)
    this.legs.add(call.a.callId, call.a.tag, new LegEntry(call, call.a))
  }

  /** Forgets the call and its A leg. */
  removeCall(call: Call): void {
    if (this.origins.get(call.a.originKey) === call) this.origins.delete(call.a.originKey)
    this.forget(call.a.callId, call.a.tag, call.a)
  }

  /** Registers a B attempt under its own Call-ID + From tag (before the INVITE leaves, so early answers find it). */
  addLeg(call: Call, leg: UacLeg): void {
    this.legs.add(leg.callId, leg.tag, new LegEntry(call, leg))
  }

  /** Forgets a B attempt. */
  removeLeg(leg: UacLeg): void {
    this.forget(leg.callId, leg.tag, leg)
  }

  /** The call a caller INVITE without To tag already started (same Call-ID and From tag), if any. */
  findOrigin(callId: string, fromTag: string): Call | undefined {
    return this.origins.get(callId + '\n' + fromTag)
  }

  /** RFC 3261 §12.2.2: the leg (and its call) an in-dialog request (or ACK) addresses with its To tag. */
  findLeg(req: SipRequest): LegEntry | undefined {
    return this.legs.findForRequest(req)
  }

  /** The B leg (and its call) a 2xx to our INVITE belongs to (our tag in From). */
  findLegForResponse(res: SipResponse): LegEntry | undefined {
    return this.legs.findForResponse(res)
  }

  /** Every active call (shutdown). */
  calls(): Call[] {
    return [...this.origins.values()]
  }

  /** Removes the entry of `leg` under Call-ID + tag when it is still that leg's. */
  private forget(callId: string, tag: string, leg: Leg): void {
    const entry = this.legs.find(callId, tag)
    if (entry !== undefined && entry.leg === leg) this.legs.remove(callId, tag, entry)
  }
}
