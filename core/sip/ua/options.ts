// Answers OPTIONS addressed to the node with 200 and its capabilities (RFC 3261 §11.2): a request handler of the router.
import { buildResponse, generateTag } from '../message/build.js'
import type { SipRequest, SipResponse } from '../message/message.js'
import type { ServerTransaction } from '../transaction/types.js'
import type { RequestHandler } from './router.js'

/** What the node advertises in an OPTIONS answer. */
export interface Capabilities {
  /** Methods the node handles (Allow). */
  readonly allow: readonly string[]
  /** Option tags the node supports (Supported); the same list the validator accepts in Require. */
  readonly supported: readonly string[]
  /** Body types the node accepts (Accept). */
  readonly accept: readonly string[]
}

/** The 200 to an OPTIONS with Allow, Accept, Accept-Encoding, Accept-Language and Supported. RFC 3261 §11.2. */
export function optionsResponse(req: SipRequest, caps: Capabilities): SipResponse {
  return buildResponse(req, 200, {
    toTag: generateTag(),
    headers: [
      ['Allow', caps.allow.join(', ')],
      ['Accept', caps.accept.join(', ')],
      ['Accept-Encoding', 'identity'],
      ['Accept-Language', 'en'],
      ['Supported', caps.supported.join(', ')],
    ],
  })
}

/** Options for an OptionsAnswerer. */
export interface OptionsAnswererOptions {
  /** The methods the node handles at the time of the request (the router's `allow`). */
  allow: () => readonly string[]
  supported: readonly string[]
  accept: readonly string[]
}

/** The router's handler for OPTIONS outside a dialog: 200 with what the node can do right now. */
export class OptionsAnswerer implements RequestHandler {
  private readonly opts: OptionsAnswererOptions

  constructor(opts: OptionsAnswererOptions) {
    this.opts = opts
  }

  /** RFC 3261 §11.2: the capabilities, as for an INVITE the node would take. */
  onRequest(req: SipRequest, tx: ServerTransaction): void {
    tx.respond(optionsResponse(req, { allow: this.opts.allow(), supported: this.opts.supported, accept: this.opts.accept }))
  }
}
