// SipMessage -> wire bytes with canonical header spellings and a Content-Length equal to the body (RFC 3261 §7, §20.14).
import { displayName } from './header-names.js'
import type { SipMessage } from './message.js'

/** Serializes a message; always writes one Content-Length equal to body.length (RFC 3261 §18.3 requires it on streams). */
export function serializeMessage(msg: SipMessage): Buffer {
  let head = msg.isRequest
    ? msg.method + ' ' + msg.uri + ' ' + msg.version + '\r\n'
    : msg.version + ' ' + msg.status + ' ' + msg.reason + '\r\n'
  const h = msg.headers
  for (let i = 0, n = h.size; i < n; i++) {
    const name = h.nameAt(i)
    if (name === 'content-length') continue
    head += displayName(name) + ': ' + h.valueAt(i) + '\r\n'
  }
  head += 'Content-Length: ' + msg.body.length + '\r\n\r\n'
  const headLen = Buffer.byteLength(head, 'utf8')
  const out = Buffer.allocUnsafe(headLen + msg.body.length)
  out.write(head, 0, 'utf8')
  msg.body.copy(out, headLen)
  return out
}
