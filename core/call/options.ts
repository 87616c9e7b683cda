// Answers OPTIONS addressed to the node with 200 and its capabilities (RFC 3261 §11.2).
import { buildResponse, generateTag } from '../sip/message/build.js'
import type { SipRequest, SipResponse } from '../sip/message/message.js'

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
