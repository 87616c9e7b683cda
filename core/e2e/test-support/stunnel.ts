// A TLS client tunnel (stunnel4 from Debian) for SIPp, whose Debian build has no TLS: SIPp speaks TCP to the tunnel, the tunnel TLS to the core, verifying its certificate.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createConnection } from 'node:net'

/** A running tunnel: SIPp connects to `port` on 127.0.0.1. */
export interface Tunnel {
  port: number
  pid: number | undefined
  /** Ends the tunnel (SIGTERM to its pid, SIGKILL after 2 s) and removes its files. */
  stop(): Promise<void>
}

/** Starts stunnel in client mode from 127.0.0.1:`accept` to 127.0.0.1:`connect`, trusting `caFile`; resolves once it accepts. */
export async function startTlsClientTunnel(accept: number, connect: number, caFile: string): Promise<Tunnel> {
  const dir = mkdtempSync(join(tmpdir(), 'softswitch-stunnel-'))
  const conf = join(dir, 'stunnel.conf')
  writeFileSync(conf, [
    'foreground = yes', 'pid =', 'debug = 3', `output = ${join(dir, 'stunnel.log')}`,
    '[sip]', 'client = yes', `accept = 127.0.0.1:${accept}`, `connect = 127.0.0.1:${connect}`,
    'verifyChain = yes', `CAfile = ${caFile}`, 'checkIP = 127.0.0.1',
  ].join('\n') + '\n')
  const child: ChildProcess = spawn('stunnel', [conf], { stdio: 'ignore' })
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 2_000)
      await exited
      clearTimeout(t)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 5_000
  for (;;) {
    const up = await new Promise<boolean>((ok) => {
      const s = createConnection({ host: '127.0.0.1', port: accept }, () => {
        s.destroy()
        ok(true)
      })
      s.once('error', () => ok(false))
    })
    if (up) return { port: accept, pid: child.pid, stop }
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop()
      throw new Error(`stunnel did not accept on ${accept}`)
    }
    await new Promise((ok) => setTimeout(ok, 50))
  }
}
