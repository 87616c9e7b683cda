// The TCP limits of the running core under abuse: 1,000 idle connections, one source past its share, and a slowloris sender neither stop a call nor grow memory without bound; idle connections are closed in time.
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CUSTOMER_ACCOUNT, LOCAL_IP_CUSTOMER, outcome, runCall, vendorGateway } from './test-support/call-fixtures.js'
import { treeRssMiB } from './test-support/proc-stats.js'
import { freeUdpPort, metric, startCore, waitFor, type CoreProcess } from './test-support/harness.js'

/** Open TCP connections the core reports on /health. */
async function tcpConnections(core: CoreProcess): Promise<number> {
  const h = (await (await fetch(`http://127.0.0.1:${core.statusPort}/health`)).json()) as { connections?: { tcp?: number } }
  return h.connections?.tcp ?? -1
}

/** A client connection from `localAddress`; `closed` turns true when the core (or anyone) closes it. */
function open(core: CoreProcess, localAddress: string): Promise<{ socket: Socket; closed: () => boolean }> {
  return new Promise((ok) => {
    let closed = false
    const socket = connect({ host: '127.0.0.1', port: core.sipPort, localAddress })
    socket.on('close', () => { closed = true })
    socket.on('error', () => {})
    socket.once('connect', () => ok({ socket, closed: () => closed }))
    socket.once('error', () => ok({ socket, closed: () => true }))
  })
}

describe('TCP limits against idle floods and slow senders', () => {
  let core: CoreProcess
  let vendor: number
  const held: Socket[] = []
  beforeAll(async () => {
    vendor = await freeUdpPort()
    core = await startCore({ SIP_TCP_IDLE_MS: '4000', SIP_TCP_MESSAGE_MS: '1000' }, {
      config: { accounts: [CUSTOMER_ACCOUNT], mappingGateways: [LOCAL_IP_CUSTOMER], routingGateways: [vendorGateway('rgw_udp', vendor)] },
    })
  })
  afterAll(async () => {
    for (const s of held) s.destroy()
    expect(await core.stop()).toBe(0)
  })

  it('holds 1,000 idle connections, refuses a source past 64, cuts a slowloris, and still completes a call over TCP', async () => {
    const pid = core.child.pid!
    const rssBefore = treeRssMiB(pid)
    // 1,000 idle connections from 16 loopback sources: under the 64-per-source limit, all accepted.
    for (let batch = 0; batch < 10; batch++) {
      const conns = await Promise.all(Array.from({ length: 100 }, (_, i) => open(core, `127.0.0.${2 + ((batch * 100 + i) % 16)}`)))
      held.push(...conns.map((c) => c.socket))
    }
    expect(await waitFor(async () => (await tcpConnections(core)) >= 1000, 10_000)).toBe(true)
    // One source beyond its share: 127.0.0.2 holds 63; of 6 more, one fits and five are closed at once.
    const greedy = await Promise.all(Array.from({ length: 6 }, () => open(core, '127.0.0.2')))
    held.push(...greedy.map((c) => c.socket))
    expect(await waitFor(async () => greedy.filter((c) => c.closed()).length === 5, 5_000)).toBe(true)
    // A slowloris sender: a head that never ends, one byte every 100 ms.
    const slow = await open(core, '127.0.0.40')
    held.push(slow.socket)
    slow.socket.write('INVITE sip:1000@127.0.0.1 SIP/2.0\r\n')
    const drip = setInterval(() => { if (!slow.closed()) slow.socket.write('X') }, 100)
    try {
      const r = await runCall({
        core,
        customer: { scenario: 'uac-call-answered-expect-200.xml', service: '1000', durationMs: 200, transport: 'tcp' },
        vendors: [{ scenario: 'uas-invite-answer-expect-bye.xml', port: vendor }],
      })
      expect(outcome(r.customer), r.trace).toEqual({ ok: 1, failed: 0 })
      expect(r.cdrs[0]).toMatchObject({ sourceTransport: 'tcp', terminationReason: 'CallerHangup' })
      expect(await waitFor(async () => slow.closed(), 5_000)).toBe(true)
    } finally {
      clearInterval(drip)
    }
    const grown = treeRssMiB(pid) - rssBefore
    expect(grown).toBeLessThan(64)
    expect(await metric(core, 'softswitch_sip_transport_connections_refused_total{transport="tcp",reason="max-per-source"}')).toBe(5)
    expect(await metric(core, 'softswitch_sip_transport_connections_closed_total{transport="tcp",reason="message-timeout"}')).toBe(1)
    // SIP_TCP_IDLE_MS (4 s here): every idle connection is closed by the core.
    expect(await waitFor(async () => (await tcpConnections(core)) === 0, 15_000)).toBe(true)
    expect(await metric(core, 'softswitch_sip_transport_connections_closed_total{transport="tcp",reason="idle"}')).toBeGreaterThanOrEqual(1000)
  })
})
