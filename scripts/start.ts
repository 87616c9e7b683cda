// Local default (`npm start`): runs the edge API (which migrates and seeds the embedded database), then the core.
import { spawn, type ChildProcess } from 'node:child_process'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildConsole } from '../edge/console/build.js'
import { CORE_NODE_FLAGS } from '../core/lib/node-flags.js'
import { buildCore, CORE_BUILD_ENTRY } from '../core/build.js'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const apiPort = process.env.API_PORT ?? '8787'
const children: ChildProcess[] = []
let stopping = false
let stopAskedAtMs = 0

/**
 * Starts one part as a child process sharing this terminal; a part that dies stops the others. It is node itself
 * (no wrapper process) in a process group of its own, so Ctrl-C in the terminal reaches only this script, which
 * passes exactly one SIGTERM per Ctrl-C on (a second one tells the core to stop draining). `args` ends with the entry.
 */
function run(name: string, args: readonly string[]): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env, detached: true })
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(JSON.stringify({ level: 'error', msg: `${name} exited`, code, signal }))
      void stopAll(code ?? 1)
    }
  })
  children.push(child)
  return child
}

/** Waits until the edge answers /health, so migrations and the demo seed are done before the core opens the db. */
async function waitForEdge(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${apiPort}/health`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((ok) => setTimeout(ok, 100))
  }
  throw new Error(`edge did not become healthy on port ${apiPort} within ${timeoutMs} ms`)
}

/** Forwards SIGTERM to every running part and exits once all have stopped (the core drains its calls first). */
async function stopAll(code: number): Promise<void> {
  if (stopping) {
    // Asked again while the parts stop (a second Ctrl-C, not the copy npm forwards of the first): pass it on, so
    // the core ends its calls now instead of draining.
    if (Date.now() - stopAskedAtMs < 1_000) return
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM')
    return
  }
  stopping = true
  stopAskedAtMs = Date.now()
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((ok) => {
          if (c.exitCode !== null || c.signalCode !== null) return ok()
          c.once('exit', () => ok())
          c.kill('SIGTERM')
        }),
    ),
  )
  process.exit(code)
}

process.on('SIGINT', () => void stopAll(0))
process.on('SIGTERM', () => void stopAll(0))

// The console and the core are rebuilt on every start so a pulled change is what runs. The core runs built, as in
// production, without tsx in each of its processes (docs/capacity.md, "Memory"); the edge runs under tsx.
await buildConsole()
await buildCore()
run('edge', ['--import', 'tsx', join(root, 'edge/node/main.ts')])
await waitForEdge(30_000)
run('core', [...CORE_NODE_FLAGS, CORE_BUILD_ENTRY])
