// Test support: a server process tests start, kill with SIGKILL (proving its PID gone) and start again, the same way for sqld and redis-server.
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { assertGone } from './process-gone.js'

/** The process handle: `start()` launches it and waits until it is ready (no-op while running), `stop()` kills it and proves it gone. */
export interface RestartableProcess {
  /** PID of the running process (undefined while stopped). */
  readonly pid: number | undefined
  start(): Promise<void>
  stop(): Promise<void>
}

/** A process named `what`, spawned by `launch` and ready once `ready` resolves (which should fail if the child exits). */
export function restartableProcess(what: string, launch: () => ChildProcess, ready: (child: ChildProcess) => Promise<void>): RestartableProcess {
  let child: ChildProcess | null = null
  return {
    get pid() {
      return child?.pid
    },
    async start() {
      if (child !== null) return
      const proc = launch()
      child = proc
      await ready(proc)
    },
    async stop() {
      const proc = child
      child = null
      if (proc === null || proc.exitCode !== null || proc.signalCode !== null) return
      const exited = once(proc, 'exit')
      proc.kill('SIGKILL')
      await exited
      assertGone(proc.pid, what)
    },
  }
}
