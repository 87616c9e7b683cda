// The local Node edge as a process: first start on a new database (migrate, seed, print admin key), restart, SIGTERM exit 0.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assertGone } from '../../shared/db/node/test-support/process-gone.js'
import { promtoolCheckMetrics } from '../../shared/db/node/test-support/promtool.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

interface Started {
  child: ChildProcess
  port: number
  lines: Record<string, unknown>[]
  /** Everything written to stderr so far (where the admin-key notice for a person goes). */
  stderr: () => string
}

/** Waits until the edge has printed its admin-key notice on stderr and returns it. */
async function notice(edge: Started): Promise<string> {
  const deadline = Date.now() + 5_000
  while (!edge.stderr().includes('API docs:') && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20))
  return edge.stderr()
}

/** Starts `edge/node/main.ts` on a free port and resolves with the parsed log lines once it logs that it listens. */
async function startEdge(dataDir: string, extraEnv: Record<string, string> = {}): Promise<Started> {
  // node itself with tsx as a loader, so the child is the edge and SIGTERM reaches it (not a wrapper in between)
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(root, 'edge/node/main.ts')], {
    cwd: dataDir,
    env: { ...process.env, API_PORT: '0', API_HOST: '127.0.0.1', METRICS_PORT: '0', DATA_DIR: dataDir, DATABASE_URL: `file:${join(dataDir, 'softswitch.db')}`, ADMIN_API_KEY: '', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: Record<string, unknown>[] = []
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    let buffered = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const parts = buffered.split('\n')
      buffered = parts.pop() ?? ''
      for (const part of parts) {
        if (part.trim() === '') continue
        const line = JSON.parse(part) as Record<string, unknown>
        lines.push(line)
        if (line.msg === 'edge listening') resolve({ child, port: line.port as number, lines, stderr: () => stderr })
      }
    })
    child.once('exit', (code) => reject(new Error(`edge exited with ${code} before listening: ${stderr}`)))
  })
}

/** Sends SIGTERM and returns the exit code. */
async function stop(child: ChildProcess): Promise<number | null> {
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const [code] = (await exited) as [number | null]
  assertGone(child.pid, 'the edge')
  return code
}

// Each test starts the edge process (tsx transforms its modules at start): under a loaded machine that alone can take 20 s.
describe('edge/node/main.ts', { timeout: 60_000 }, () => {
  let dir: string
  const running: ChildProcess[] = []

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'softswitch-node-'))
  })
  afterEach(async () => {
    for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) await stop(child)
    await rm(dir, { recursive: true, force: true })
  })

  it('migrates and seeds a new database, prints an admin key once for a person, serves it, and exits 0 on SIGTERM', async () => {
    const first = await startEdge(dir)
    running.push(first.child)
    const printed = await notice(first)
    const key = /^ {6}export KEY=(ssk_\S+)$/m.exec(printed)?.[1]
    expect(key, printed).toMatch(/^ssk_/)
    expect(printed).toContain(`API docs: http://127.0.0.1:${first.port}/docs`)
    // The JSON log says a key was made but never carries the secret.
    expect(first.lines.some((l) => typeof l.msg === 'string' && l.msg.includes('created the first admin API key'))).toBe(true)
    expect(JSON.stringify(first.lines)).not.toContain(key!)
    expect(first.lines.every((l) => l.service === 'edge' && typeof l.time === 'string' && typeof l.level === 'string')).toBe(true)
    expect(first.lines.some((l) => typeof l.msg === 'string' && l.msg.includes('seeded'))).toBe(true)

    const base = `http://127.0.0.1:${first.port}`
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ ok: true, configVersion: 1 })
    const routes = (await (await fetch(`${base}/v1/routing-gateways`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      items: { host: string; port: number; prefixes: string[] }[]
    }
    expect(routes.items).toEqual([expect.objectContaining({ host: '127.0.0.1', port: 5070, prefixes: [] })])
    // Its own /metrics on a loopback port: Prometheus's linter passes it, and it counts the requests above.
    const metricsPort = first.lines.find((l) => l.msg === 'edge metrics listening')?.port as number
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    const lint = promtoolCheckMetrics(text)
    expect(lint, lint.findings).toEqual({ status: 0, findings: '' })
    expect(text).toMatch(/^softswitch_http_requests_total\{method="GET",route="\/v1\/routing-gateways",status="200"\} 1$/m)
    expect(text).toMatch(/^softswitch_build_info\{service="edge",version="[^"]+",node="v[\d.]+"\} 1$/m)
    expect(text).toMatch(/^process_cpu_seconds_total /m)
    expect(await stop(first.child)).toBe(0)
    // One access-log line per request: request id, key id, method, route pattern, status, latency.
    expect(first.lines.filter((l) => l.msg === 'request')).toEqual([
      expect.objectContaining({ method: 'GET', route: '/health', status: 200, keyId: null, requestId: expect.any(String), latencyMs: expect.any(Number) }),
      expect.objectContaining({ method: 'GET', route: '/v1/routing-gateways', status: 200, keyId: expect.stringMatching(/^key_/) }),
    ])

    const second = await startEdge(dir, { ADMIN_API_KEY: 'operator-chosen-secret-0123456789' })
    running.push(second.child)
    expect(await notice(second)).toContain('ADMIN_API_KEY')
    expect(second.lines.some((l) => typeof l.msg === 'string' && l.msg.includes('seeded'))).toBe(false)
    const again = `http://127.0.0.1:${second.port}`
    const old = await fetch(`${again}/v1/accounts`, { headers: { authorization: `Bearer ${key}` } })
    const configured = await fetch(`${again}/v1/accounts`, { headers: { authorization: 'Bearer operator-chosen-secret-0123456789' } })
    expect([old.status, configured.status]).toEqual([200, 200])
    expect(await stop(second.child)).toBe(0)

    const third = await startEdge(dir)
    running.push(third.child)
    const later = await notice(third)
    expect(later).toContain('An admin API key exists')
    expect(later).toContain('npm run api-key -- --name <name> --role admin')
    expect(later).not.toMatch(/ssk_/)
    expect(await stop(third.child)).toBe(0)
  })

  it('binds 127.0.0.1 when API_HOST is unset, refuses a 10 MB JSON body with 413 before reading it, and JSON sent as text/plain with 415', async () => {
    const started = await startEdge(dir, { API_HOST: '' })
    running.push(started.child)
    expect(started.lines.find((l) => l.msg === 'edge listening')?.address).toBe('127.0.0.1')
    const key = /^ {6}export KEY=(ssk_\S+)$/m.exec(await notice(started))?.[1]
    const url = `http://127.0.0.1:${started.port}/v1/accounts`
    const auth = { authorization: `Bearer ${key}` }

    const huge = JSON.stringify({ name: 'x'.repeat(10 * 1024 * 1024) })
    const declared = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: huge })
    expect(declared.status).toBe(413)
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE')

    // A chunked body has no Content-Length: the edge stops reading once it passes the cap instead of taking all 10 MB.
    let sent = 0
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024))
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 10 * 1024 * 1024) return controller.close()
        sent += chunk.byteLength
        controller.enqueue(chunk)
      },
    })
    const chunked = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit)
    expect(chunked.status).toBe(413)
    expect(sent).toBeLessThan(10 * 1024 * 1024)

    const plain = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: JSON.stringify({ name: 'acme' }) })
    expect(plain.status).toBe(415)
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
    const json = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ name: 'acme' }) })
    expect(json.status).toBe(201)
  })
})
