// Parser micro-benchmark (run by `npm run bench` or `npx tsx core/sip/message/parse.bench.ts`); prints JSON lines.
import { parseMessage } from './parse.js'
import { serializeMessage } from './serialize.js'

const SDP = [
  'v=0', 'o=- 3912412341 3912412341 IN IP4 203.0.113.10', 's=-', 'c=IN IP4 203.0.113.10', 't=0 0',
  'm=audio 40000 RTP/AVP 0 8 18 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:18 G729/8000',
  'a=fmtp:18 annexb=no', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=ptime:20', 'a=sendrecv', '',
].join('\r\n')

const INVITE = Buffer.from(
  [
    'INVITE sip:+4930123456789@198.51.100.20:5060;user=phone SIP/2.0',
    'Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK776asdhds2839;rport',
    'Max-Forwards: 70',
    'From: "Caller" <sip:+4921198765@203.0.113.10;user=phone>;tag=1928301774',
    'To: <sip:+4930123456789@198.51.100.20;user=phone>',
    'Call-ID: a84b4c76e66710-3f2a9c@203.0.113.10',
    'CSeq: 314159 INVITE',
    'Contact: <sip:+4921198765@203.0.113.10:5060>',
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO',
    'Supported: timer, replaces',
    'Session-Expires: 1800;refresher=uac',
    'User-Agent: CarrierGW/4.2',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
    '',
    SDP,
  ].join('\r\n'),
)

const OK200 = Buffer.from(
  [
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK776asdhds2839;rport=5060;received=203.0.113.10',
    'From: "Caller" <sip:+4921198765@203.0.113.10;user=phone>;tag=1928301774',
    'To: <sip:+4930123456789@198.51.100.20;user=phone>;tag=a6c85cf',
    'Call-ID: a84b4c76e66710-3f2a9c@203.0.113.10',
    'CSeq: 314159 INVITE',
    'Contact: <sip:+4930123456789@198.51.100.20:5060>',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n'),
)

let sink = 0

function bench(name: string, fn: () => void, iterations: number): void {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) fn() // warm-up
  let best = Infinity
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) fn()
    const ns = Number(process.hrtime.bigint() - t0) / iterations
    if (ns < best) best = ns
  }
  console.log(JSON.stringify({ name, opsPerSec: Math.round(1e9 / best), nsPerOp: Math.round(best) }))
}

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
