// Kamailio as the reference peer of `npm run bench -- calls`: the configuration beside this file on free loopback ports, started in the foreground and stopped by its PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { assertGone, processExists } from '../../../shared/db/node/test-support/process-gone.js'
import { freeUdpPort, waitForOptions } from './harness.js'
import { processTree } from './proc-stats.js'

const HERE = fileURLToPath(new URL('./kamailio/', import.meta.url))

/** Where the Debian package puts it. */
export function kamailioBinary(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v kamailio || ls /usr/sbin/kamailio'], { encoding: 'utf8' })
  const path = r.stdout.trim().split('\n')[0]
  return r.status === 0 && path ? path : null
}

/** How to start it: the vendor it routes to, digest or IP authentication, worker processes and shared memory. */
export interface KamailioOptions {
  vendorPort: number
  digest?: { username: string; password: string }
  /** UDP worker processes (default 4, the reference figure's best on two cores). */
  children?: number
  /** Shared memory, MiB (default 2048: tm keeps every transaction 5 s after it completes). */
  shmMiB?: number
}

/** A running Kamailio. */
export interface KamailioProcess {
  pid: number
  target: string
  output: () => string
  /** SIGTERM to the main process, SIGKILL after 10 s, then any child left; proves every process gone. */
  stop: () => Promise<void>
}

/** Starts Kamailio on a free loopback UDP port with the bench configuration; resolves once it answers OPTIONS. */
export async function startKamailio(opts: KamailioOptions): Promise<KamailioProcess> {
  const binary = kamailioBinary()
  if (binary === null) throw new Error('kamailio is not installed (Debian: apt-get install -y kamailio)')
  const port = await freeUdpPort()
  const dir = mkdtempSync(join(tmpdir(), 'softswitch-kamailio-'))
  const user = opts.digest ?? { username: 'bench', password: 'bench-password' }
  const fill: Record<string, string> = {
    SIP_PORT: String(port), VENDOR: `127.0.0.1:${opts.vendorPort}`, ADDRESS_LIST: join(dir, 'address.list'),
    DIGEST_USER: user.username, DIGEST_PASSWORD: user.password,
  }
  const cfg = readFileSync(join(HERE, 'kamailio.cfg'), 'utf8').replace(/@([A-Z_]+)@/g, (m, k: string) => fill[k] ?? m)
  writeFileSync(join(dir, 'kamailio.cfg'), cfg)
  writeFileSync(join(dir, 'address.list'), readFileSync(join(HERE, 'address.list')))
  const args = [
    '-f', join(dir, 'kamailio.cfg'), '-DD', '-E', '-m', String(opts.shmMiB ?? 2048), '-M', '32', '-Y', dir, '-P', join(dir, 'kamailio.pid'),
    '-A', `CHILDREN=${opts.children ?? 4}`, ...(opts.digest === undefined ? [] : ['-A', 'WITH_DIGEST']),
  ]
  let out = ''
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { out += d.toString() })
  const pid = child.pid!
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()))
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null
  const stop = async (): Promise<void> => {
    const family = processTree(pid).filter((p) => p !== pid)
    if (!gone()) {
      child.kill('SIGTERM')
      let t: NodeJS.Timeout | undefined
      await Promise.race([exited, new Promise<void>((ok) => { t = setTimeout(ok, 10_000) })])
      clearTimeout(t)
      if (!gone()) {
        child.kill('SIGKILL')
        await exited
      }
    }
    for (const p of family) {
      if (!processExists(p)) continue
      process.kill(p, 'SIGKILL')
      for (let i = 0; i < 50 && processExists(p); i++) await new Promise((ok) => setTimeout(ok, 20))
    }
    assertGone(pid, 'kamailio')
    for (const p of family) assertGone(p, 'a kamailio child')
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitForOptions(port, 30_000, gone)
  } catch (err) {
    await stop()
    throw new Error(`kamailio did not come up: ${String(err)}\n${out.slice(-3000)}`, { cause: err })
  }
  return { pid, target: `127.0.0.1:${port}`, output: () => out, stop }
}
