// Relayed calls on the wire: RFC 3264 §6 answer anchored on the core's RTP port, RTP both ways through the relay to a SIPp vendor echoing it (-rtp_echo), the warning prompt as RFC 3550 §5.1 RTP in PCMU, no-media hangup, and every port pair free afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CUSTOMER_ACCOUNT, LOCAL_IP_CUSTOMER, settle, vendorGateway } from './test-support/call-fixtures.js'
import { cdrMark, readCdrs } from './test-support/config-seed.js'
import { describeSipp, freeUdpPort, metric, startCore, startSippUas, waitFor, type CoreProcess } from './test-support/harness.js'
import { MediaCustomer } from './test-support/media-customer.js'

const RTP_MIN = 36000 + 20 * Math.floor(Math.random() * 200)

/** The audio port of an SDP body. */
function audioPort(sdp: string): number {
  const m = /^m=audio (\d+) /m.exec(sdp)
  return m === null ? -1 : Number(m[1])
}

/** RTP header fields of a received packet. */
function rtp(b: Buffer) {
  return { v: b[0]! >> 6, marker: (b[1]! & 0x80) !== 0, pt: b[1]! & 0x7f, seq: b.readUInt16BE(2), ts: b.readUInt32BE(4), ssrc: b.readUInt32BE(8), speech: b.subarray(12).some((x) => x !== 0xff) }
}

describe('relayed calls', () => {
  let core: CoreProcess
  let vendorPort: number
  const customers: MediaCustomer[] = []

  beforeAll(async () => {
    vendorPort = await freeUdpPort()
    core = await startCore({ RTP_PORT_MIN: String(RTP_MIN), RTP_PORT_MAX: String(RTP_MIN + 19) }, {
      config: {
        params: { SS_SESSION_EXPIRES: 0 },
        accounts: [CUSTOMER_ACCOUNT],
        mappingGateways: [{ ...LOCAL_IP_CUSTOMER, mediaProxy: true }],
        routingGateways: [vendorGateway('rgw_vendor', vendorPort)],
      },
    })
  })
  afterAll(async () => {
    for (const c of customers) c.close()
    await core?.stop()
  })

  /** A SIPp vendor that answers and echoes RTP, and our customer calling through the core. */
  async function relayedCall() {
    const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, extraArgs: ['-rtp_echo', '-mp', String(await freeUdpPort())], trace: true })
    const customer = await MediaCustomer.open(core.sipPort)
    customers.push(customer)
    const mark = await cdrMark(core.database.db)
    const ok = await customer.call('3100')
    return { vendor, customer, mark, relayPort: audioPort(ok.body), sdp: ok.body }
  }

  it('relays RTP both ways through the core\'s port pair, counts it in the CDR and frees the ports', async () => {
    const { vendor, customer, mark, relayPort, sdp } = await relayedCall()
    expect(relayPort, sdp).toBeGreaterThanOrEqual(RTP_MIN)
    expect(relayPort, sdp).toBeLessThanOrEqual(RTP_MIN + 19)
    expect(sdp).toContain('c=IN IP4 127.0.0.1')
    expect(await metric(core, 'softswitch_media_port_pairs_in_use')).toBe(2)
    customer.startRtp(relayPort)
    // 50 packets (1 s of 20 ms packets on time; longer when the machine is loaded), then their echoes back.
    expect(await waitFor(async () => customer.rtpSent >= 50, 10_000)).toBe(true)
    customer.stopRtp()
    await waitFor(async () => customer.rtpIn.length >= customer.rtpSent, 2_000)
    await customer.bye()
    const v = await settle(vendor, 3000)
    // The echo came back through the relay with the caller's own SSRC.
    expect(customer.rtpIn.length, describeSipp('vendor', v)).toBeGreaterThanOrEqual(40)
    expect(rtp(customer.rtpIn[0]!)).toMatchObject({ v: 2, pt: 0, ssrc: 0x1234 })
    const [cdr] = await readCdrs(core.database.db, { count: 1, after: mark })
    expect(cdr!.terminationReason).toBe('CallerHangup')
    expect(cdr!.rtpPacketsFromCaller).toBeGreaterThanOrEqual(40)
    expect(cdr!.rtpPacketsFromCallee).toBeGreaterThanOrEqual(40)
    expect(cdr!.rtpBytesFromCaller).toBe(cdr!.rtpPacketsFromCaller! * 172)
    expect(await metric(core, 'softswitch_media_port_pairs_in_use')).toBe(0)
  })

  it('plays the warning prompt to the caller as PCMU RTP on one continuous stream, then ends at the cap', async () => {
    await core.updateConfig({ params: { SS_SESSION_EXPIRES: 0, SS_MAXCALLDURATION: 6, SS_CALLREMINTIME: 4 } })
    try {
      const { vendor, customer, mark, relayPort } = await relayedCall()
      customer.startRtp(relayPort)
      expect(await customer.waitBye(9000)).not.toBeNull()
      customer.stopRtp()
      await settle(vendor, 3000)
      const hs = customer.rtpIn.map(rtp)
      const prompt = hs.filter((p) => p.speech)
      // The shipped prompt is ~3 s: about 150 packets of 20 ms, all PCMU, the first with the marker bit.
      expect(prompt.length).toBeGreaterThanOrEqual(120)
      expect(prompt.every((p) => p.v === 2 && p.pt === 0 && p.ssrc === hs[0]!.ssrc)).toBe(true)
      expect(prompt[0]!.marker).toBe(true)
      // The caller sees one stream: each packet's sequence number one more than the one before.
      const gaps = hs.slice(1).filter((p, i) => p.seq !== ((hs[i]!.seq + 1) & 0xffff))
      expect(gaps).toEqual([])
      const [cdr] = await readCdrs(core.database.db, { count: 1, after: mark })
      expect(cdr).toMatchObject({ terminationReason: 'MaxCallDurationExceeded', warningPlayed: true })
    } finally {
      await core.updateConfig({ params: { SS_MAXCALLDURATION: 0, SS_CALLREMINTIME: 0 } })
    }
  })

  it('hangs up with NoMediaHangup once RTP stops, not while it flows', async () => {
    await core.updateConfig({ params: { SS_SESSION_EXPIRES: 0, SS_NOMEDIAHANGUP: 2 } })
    try {
      const { vendor, customer, mark, relayPort } = await relayedCall()
      customer.startRtp(relayPort)
      expect(await customer.waitBye(3500)).toBeNull()
      customer.stopRtp()
      const stoppedAt = Date.now()
      const byeAt = await customer.waitBye(5000)
      expect(byeAt).not.toBeNull()
      expect(byeAt! - stoppedAt).toBeGreaterThanOrEqual(1500)
      expect(byeAt! - stoppedAt).toBeLessThan(3500)
      await settle(vendor, 3000)
      const [cdr] = await readCdrs(core.database.db, { count: 1, after: mark })
      expect(cdr).toMatchObject({ terminationReason: 'NoMediaHangup', endedBy: 'switch' })
      expect(await metric(core, 'softswitch_media_port_pairs_in_use')).toBe(0)
    } finally {
      await core.updateConfig({ params: { SS_NOMEDIAHANGUP: 0 } })
    }
  })
})
