// SIP messages the message-layer and routing-key benchmarks share: a carrier INVITE with SDP, its 200 OK, an in-dialog BYE.

const SDP = [
  'v=0', 'o=- 3912412341 3912412341 IN IP4 203.0.113.10', 's=-', 'c=IN IP4 203.0.113.10', 't=0 0',
  'm=audio 40000 RTP/AVP 0 8 18 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:18 G729/8000',
  'a=fmtp:18 annexb=no', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=ptime:20', 'a=sendrecv', '',
].join('\r\n')

/** An INVITE from a carrier gateway with an SDP offer (about 900 bytes). */
export const INVITE: Buffer = Buffer.from(
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

/** A 200 OK to it, after our transaction layer stamped the Via. */
export const OK200: Buffer = Buffer.from(
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

/** An in-dialog BYE: the To tag is ours. */
export const BYE: Buffer = Buffer.from(
  [
    'BYE sip:+4930123456789@198.51.100.20:5060 SIP/2.0',
    'Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK776asdhds2840;rport',
    'Max-Forwards: 70',
    'From: "Caller" <sip:+4921198765@203.0.113.10;user=phone>;tag=1928301774',
    'To: <sip:+4930123456789@198.51.100.20;user=phone>;tag=1a6c85cf0e2b7d41',
    'Call-ID: a84b4c76e66710-3f2a9c@203.0.113.10',
    'CSeq: 314160 BYE',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n'),
)
