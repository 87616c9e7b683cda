// Covers the UDP transport (RFC 3261 §18 over node:dgram) on 127.0.0.1 and ::1: the transport contract, IPv6, kernel buffers, guarded receive, sends without a tick and their failures counted.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import { createLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { RecordingUser, runTransportContract, type TransportHarness } from './test-support/transport-contract.js'
import type { Transport, TransportFailure } from './types.js'
import { openUdpTransport, type UdpTransport } from './udp.js'

const waitUntil = async (done: () => boolean): Promise<void> => {
  const deadline = Date.now() + 2000
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2))
}

/** Runs `body` with a sender `a` and a receiver `b` on 127.0.0.1 (`ub` records what `b` receives), closing both after. */
async function withPair(body: (a: UdpTransport, b: UdpTransport, ub: RecordingUser) => Promise<void>): Promise<void> {
  const ub = new RecordingUser()
  const a = await openUdpTransport({ host: '127.0.0.1', port: 0, user: new RecordingUser() })
  const b = await openUdpTransport({ host: '127.0.0.1', port: 0, user: ub })
  try {
    await body(a, b, ub)
  } finally {
    await Promise.all([a.close(), b.close()])
  }
}

runTransportContract('UdpTransport', (): TransportHarness => {
  const metrics = new Metrics()
  const opened: Transport[] = []
  return {
    protocol: 'UDP',
    open: async (user) => {
      const t = await openUdpTransport({ host: '127.0.0.1', port: 0, user, metrics })
      opened.push(t)
      return t
    },
    until: async (done) => {
      await waitUntil(done)
      expect(done()).toBe(true)
    },
    cleanup: async () => {
      await Promise.all(opened.map((t) => t.close()))
    },
    userErrors: () => metrics.get('sip_transport_user_errors_total')?.get('udp') ?? 0,
  }
})

describe('UdpTransport', () => {
  it('exchanges datagrams over IPv6 ::1', async () => {
    const ub = new RecordingUser()
    const a = await openUdpTransport({ host: '::1', port: 0, user: new RecordingUser() })
    const b = await openUdpTransport({ host: '::1', port: 0, user: ub })
    try {
      expect(a.local.family).toBe('IPv6')
      a.send(Buffer.from('v6'), b.local)
      await waitUntil(() => ub.got.length === 1)
      expect(ub.got[0]!.remote).toMatchObject({ address: '::1', port: a.local.port, family: 'IPv6' })
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it('logs a throwing handler with the datagram first line and Call-ID, and counts it', async () => {
    const lines: string[] = []
    const metrics = new Metrics()
    const ub = new RecordingUser()
    ub.throwOn = 'INVITE'
    const b = await openUdpTransport({ host: '127.0.0.1', port: 0, user: ub, metrics, log: createLogger({ sink: (l) => lines.push(l) }) })
    const a = await openUdpTransport({ host: '127.0.0.1', port: 0, user: new RecordingUser() })
    try {
      a.send(Buffer.from('INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\ni: abc@host\r\n\r\n'), b.local)
      await waitUntil(() => lines.length === 1)
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', line: 'INVITE sip:x SIP/2.0', callId: 'abc@host' })
      expect(metrics.get('sip_transport_user_errors_total')?.get('udp')).toBe(1)
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it('asks the kernel for large socket buffers', async () => {
    const t = await openUdpTransport({ host: '127.0.0.1', port: 0, user: new RecordingUser(), recvBufferBytes: 4 << 20 })
    try {
      // Linux doubles the request and caps it at net.core.rmem_max; either way it beats the ~208 KB default.
      expect(t.bufferSizes.recv).toBeGreaterThan(256 * 1024)
    } finally {
      await t.close()
    }
  })

  it('reports a family mismatch and an oversized datagram as failures, not exceptions', async () => {
    const metrics = new Metrics()
    const a = await openUdpTransport({ host: '127.0.0.1', port: 0, user: new RecordingUser(), metrics })
    try {
      const failures: TransportFailure[] = []
      const listener = { onSendError: (f: TransportFailure) => failures.push(f) }
      a.send(Buffer.from('x'), { address: '::1', port: 5060, family: 'IPv6' }, listener)
      a.send(Buffer.alloc(70_000), { address: '127.0.0.1', port: a.local.port, family: 'IPv4' }, listener)
      await waitUntil(() => failures.length === 2)
      expect(failures.map((f) => f.code).sort()).toEqual(['EAFNOSUPPORT', 'EMSGSIZE'])
      expect(metrics.get('sip_transport_send_errors_total')?.get('udp')).toBe(2)
    } finally {
      await a.close()
    }
  })

  it('hands a datagram to the kernel without a tick per send', () =>
    withPair(async (a, b, ub) => {
      const ticks = vi.spyOn(process, 'nextTick')
      try {
        for (let i = 0; i < 10; i++) a.send(Buffer.from(`d${i}`), b.local)
        expect(ticks).not.toHaveBeenCalled()
      } finally {
        ticks.mockRestore()
      }
      await waitUntil(() => ub.got.length === 10)
      expect(ub.got).toHaveLength(10)
    }))

  it('counts a failed send that has no listener', async () => {
    const metrics = new Metrics()
    const a = await openUdpTransport({ host: '127.0.0.1', port: 0, user: new RecordingUser(), metrics })
    try {
      a.send(Buffer.alloc(70_000), a.local)
      await waitUntil(() => metrics.get('sip_transport_send_errors_total')?.get('udp') === 1)
      expect(metrics.get('sip_transport_send_errors_total')?.get('udp')).toBe(1)
    } finally {
      await a.close()
    }
  })

  it('sends to a host name through its lookup', () =>
    withPair(async (a, b, ub) => {
      a.send(Buffer.from('named'), { address: 'localhost', port: b.local.port, family: 'IPv4' })
      await waitUntil(() => ub.got.length === 1)
      expect(ub.got[0]!.remote.port).toBe(a.local.port)
    }))

  it('delivers a send libuv queued and counts a queued send that failed', async () => {
    const script = fileURLToPath(new URL('./test-support/udp-queued-send.ts', import.meta.url))
    const child = spawn(process.execPath, ['--test-udp-no-try-send', '--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 15_000 })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    await new Promise((ok) => child.once('exit', ok))
    expect(JSON.parse(out)).toEqual({ received: 1, failures: ['EMSGSIZE'], sendErrors: 2 })
  })

  it('rejects a bind to a port already in use with TransportError', async () => {
    const a = await openUdpTransport({ host: '127.0.0.1', port: 0, user: new RecordingUser() })
    try {
      await expect(openUdpTransport({ host: '127.0.0.1', port: a.local.port, user: new RecordingUser() })).rejects.toThrow(/cannot bind/)
    } finally {
      await a.close()
    }
  })
})
