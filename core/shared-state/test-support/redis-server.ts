// Test support: a real redis-server (Debian's) on a free loopback port with no persistence, stopped and restarted on the same port, its PID proven gone after each stop.
import { spawn, type ChildProcess } from 'node:child_process'
import { createConnection } from 'node:net'
import { restartableProcess } from '../../../shared/db/node/test-support/restartable-process.js'
import { freePort } from '../../../shared/db/node/test-support/sqld-server.js'

/** A running redis-server; `stop()` ends it (its data goes with it), `start()` brings an empty one back on the same port. */
export interface RedisServer {
  readonly url: string
  readonly port: number
  /** PID of the running server (undefined while stopped). */
  readonly pid: number | undefined
  start(): Promise<void>
  stop(): Promise<void>
}

/** Resolves once PING gets PONG on 127.0.0.1:port. */
async function waitForPong(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited early with code ${child.exitCode}`)
    const ok = await new Promise<boolean>((done) => {
      const s = createConnection({ host: '127.0.0.1', port })
      s.once('error', () => done(false))
      s.once('data', (d) => {
        s.destroy()
        done(d.toString().startsWith('+PONG'))
      })
      s.once('connect', () => s.write('PING\r\n'))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`redis-server did not answer PING within ${timeoutMs} ms`)
}

/** Starts redis-server on a free 127.0.0.1 port (no RDB/AOF files, no protected-mode surprises). */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort()
  const proc = restartableProcess(
    'redis-server',
    () => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'ignore', 'ignore'] }),
    (child) => waitForPong(port, child, 10_000),
  )
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return proc.pid
    },
    start: () => proc.start(),
    stop: () => proc.stop(),
  }
  await server.start()
  return server
}

/** A line count as the nodes see it: the per-node hash at `key` summed over nodes whose heartbeat has not expired (read with redis-cli-like plain commands, never as a node). */
export async function liveTotal(url: string, key: string): Promise<number> {
  const { Redis } = await import('ioredis')
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false })
  try {
    await r.connect()
    const [sec, usec] = await r.time()
    const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000)
    const nodes = await r.hgetall('{ss}:nodes')
    const held = await r.hgetall(key)
    let sum = 0
    for (const [node, n] of Object.entries(held)) if (Number(nodes[node] ?? 0) > now) sum += Number(n)
    return sum
  } finally {
    r.disconnect()
  }
}
