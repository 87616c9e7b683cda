// Parser and serializer micro-benchmark (run by `npm run bench -- parse` or `npx tsx core/sip/message/parse.bench.ts`); prints JSON lines.
import { parseMessage } from './parse.js'
import { serializeMessage } from './serialize.js'
import { BYE, INVITE, OK200 } from './test-support/bench-messages.js'
import { bench } from './test-support/micro-bench.js'

let sink = 0

function parseInviteHot(): void {
  const r = parseMessage(INVITE)
  if (!r.ok) throw new Error(r.error.message)
  const m = r.message
  sink += (m.topVia?.branch?.length ?? 0) + (m.callId?.length ?? 0) + (m.cseq?.seq ?? 0)
  sink += (m.from?.tag?.length ?? 0) + (m.to?.tag === undefined ? 1 : 0)
}

/** Parses `buf` and reads what the transaction layer and dialogs read of every response or in-dialog request. */
function parseHot(buf: Buffer): void {
  const r = parseMessage(buf)
  if (r.ok) sink += (r.message.topVia?.branch?.length ?? 0) + (r.message.cseq?.seq ?? 0) + (r.message.to?.tag?.length ?? 0)
}

/** Serializes the parsed form of `buf` (every header line, the body copied after the head). */
function serializeCase(name: string, buf: Buffer): void {
  const parsed = parseMessage(buf)
  if (parsed.ok) bench(name, () => { sink += serializeMessage(parsed.message).length }, 200_000)
}

console.error(`INVITE is ${INVITE.length} bytes, 200 OK is ${OK200.length} bytes, BYE is ${BYE.length} bytes`)
bench('parse INVITE (900 B, SDP) only', () => { sink += parseMessage(INVITE).ok ? 1 : 0 }, 200_000)
bench('parse INVITE + topVia.branch, callId, cseq, from.tag, to.tag', parseInviteHot, 200_000)
bench('parse 200 OK + hot accessors', () => parseHot(OK200), 200_000)
bench('parse BYE + hot accessors', () => parseHot(BYE), 200_000)
serializeCase('serialize INVITE', INVITE)
serializeCase('serialize 200 OK', OK200)
serializeCase('serialize BYE', BYE)
if (sink === 42) console.error('')
