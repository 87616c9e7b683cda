// Parser micro-benchmark (run by `npm run bench` or `npx tsx core/sip/message/parse.bench.ts`); prints JSON lines.
import { parseMessage } from './parse.js'
import { serializeMessage } from './serialize.js'
import { INVITE, OK200 } from './test-support/bench-messages.js'
import { bench } from './test-support/micro-bench.js'

let sink = 0

function parseInviteHot(): void {
  const r = parseMessage(INVITE)
  if (!r.ok) throw new Error(r.error.message)
  const m = r.message
  sink += (m.topVia?.branch?.length ?? 0) + (m.callId?.length ?? 0) + (m.cseq?.seq ?? 0)
  sink += (m.from?.tag?.length ?? 0) + (m.to?.tag === undefined ? 1 : 0)
}

console.error(`INVITE is ${INVITE.length} bytes, 200 OK is ${OK200.length} bytes`)
bench('parse INVITE (900 B, SDP) only', () => { sink += parseMessage(INVITE).ok ? 1 : 0 }, 200_000)
bench('parse INVITE + topVia.branch, callId, cseq, from.tag, to.tag', parseInviteHot, 200_000)
bench('parse 200 OK + hot accessors', () => {
  const r = parseMessage(OK200)
  if (r.ok) sink += (r.message.topVia?.branch?.length ?? 0) + (r.message.cseq?.seq ?? 0) + (r.message.to?.tag?.length ?? 0)
}, 200_000)
const parsed = parseMessage(INVITE)
if (parsed.ok) bench('serialize INVITE', () => { sink += serializeMessage(parsed.message).length }, 200_000)
if (sink === 42) console.error('')
