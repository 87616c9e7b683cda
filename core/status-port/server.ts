// The core's HTTP status port: /health (JSON), /metrics (Prometheus text), /v1/calls (current calls, filterable by gateway); node:http, read-only.
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseIp } from '../../shared/net/address.js'
import type { Logger } from '../lib/log.js'

/** What /health reports; `ok: false` answers 503 so load balancers take the node out. */
export interface HealthReport {
  ok: boolean
  [field: string]: unknown
}

/** What /v1/calls needs of one current call (the call layer's summary fits). */
export interface CallListItem {
  mappingGatewayId: string
  routingGatewayId: string | null
  startedAtMs: number
}

/** Filters of /v1/calls: `gatewayId` matches either side; the specific ones match one side. */
const CALL_FILTERS = ['gatewayId', 'mappingGatewayId', 'routingGatewayId'] as const

/** Current calls matching the query, each with its age in whole seconds, newest first. */
export function listCalls<T extends CallListItem>(calls: readonly T[], query: URLSearchParams, nowMs: number): Array<T & { ageSec: number }> {
  const any = query.get('gatewayId')
  const mapping = query.get('mappingGatewayId')
  const routing = query.get('routingGatewayId')
  const out: Array<T & { ageSec: number }> = []
  for (const c of calls) {
    if (any !== null && c.mappingGatewayId !== any && c.routingGatewayId !== any) continue
    if (mapping !== null && c.mappingGatewayId !== mapping) continue
    if (routing !== null && c.routingGatewayId !== routing) continue
    out.push({ ...c, ageSec: Math.max(0, Math.floor((nowMs - c.startedAtMs) / 1000)) })
  }
  return out.sort((a, b) => b.startedAtMs - a.startedAtMs)
}

/** What /metrics renders: a process's Metrics, or the sum of a node's workers and its primary. */
export interface MetricsText {
  render(): Promise<string>
  readonly contentType: string
}

/** Options for startStatusServer. */
export interface StatusServerOptions {
  /** Bind address (STATUS_HOST; default 127.0.0.1). */
  host: string
  /** STATUS_PORT; 0 picks a free port. */
  port: number
  metrics: MetricsText
  /** /health; a node with several workers asks each of them. */
  health: () => HealthReport | Promise<HealthReport>
  /** Current calls for /v1/calls (every worker's on such a node). */
  calls?: () => readonly CallListItem[] | Promise<readonly CallListItem[]>
  /** Epoch ms for call ages (default Date.now). */
  now?: () => number
  /**
   * Whether /v1/calls (callers' and callees' numbers) needs `Authorization: Bearer <key>`: main.ts sets it when the
   * port is bound anywhere but loopback (`statusNeedsKey`). Required without a key configured, the route answers 403.
   */
  callsKey?: { required: boolean; secret?: string | undefined }
  log: Logger
}

/** True unless the status port is bound to loopback only (`127.0.0.0/8`, `::1`, `localhost`). */
export function statusNeedsKey(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return false
  return parseIp(host)?.range() !== 'loopback'
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest()

/** Null when the request may read /v1/calls, else the status and error body to answer. */
function callsRefusal(req: IncomingMessage, key: StatusServerOptions['callsKey']): [number, string] | null {
  if (key === undefined || !key.required) return null
  if (key.secret === undefined) return [403, 'the status port is not bound to loopback: set STATUS_API_KEY to read /v1/calls']
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
  // Hashes compared in constant time, so the comparison says nothing about the key's length or prefix.
  if (given === undefined || !timingSafeEqual(sha256(given), sha256(key.secret))) return [401, 'Authorization: Bearer <STATUS_API_KEY> required']
  return null
}

/** A listening status server. */
export interface StatusServer {
  readonly port: number
  close(): Promise<void>
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function json(res: ServerResponse, status: number, value: unknown): void {
  reply(res, status, 'application/json; charset=utf-8', JSON.stringify(value))
}

/** Starts the status server and resolves once it listens. */
export function startStatusServer(opts: StatusServerOptions): Promise<StatusServer> {
  const failed = (req: IncomingMessage, res: ServerResponse, err: unknown): void => {
    opts.log.error('status request failed', { err, url: req.url })
    if (!res.headersSent) json(res, 500, { error: { code: 'INTERNAL', message: 'status handler failed' } })
    else res.destroy()
  }
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      const url = new URL(req.url ?? '/', 'http://status')
      const path = url.pathname
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD')
        return json(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: `${req.method ?? ''} not allowed` } })
      }
      switch (path) {
        case '/health':
          Promise.resolve(opts.health()).then((h) => json(res, h.ok ? 200 : 503, h), (err: unknown) => failed(req, res, err))
          return
        case '/metrics':
          opts.metrics.render().then(
            (text) => reply(res, 200, opts.metrics.contentType, text),
            (err: unknown) => {
              opts.log.error('metrics render failed', { err })
              json(res, 500, { error: { code: 'INTERNAL', message: 'metrics render failed' } })
            },
          )
          return
        case '/v1/calls': {
          const refused = callsRefusal(req, opts.callsKey)
          if (refused !== null) {
            if (refused[0] === 401) res.setHeader('www-authenticate', 'Bearer')
            return json(res, refused[0], { error: { code: refused[0] === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message: refused[1] } })
          }
          for (const k of url.searchParams.keys()) {
            if (!(CALL_FILTERS as readonly string[]).includes(k)) return json(res, 400, { error: { code: 'BAD_REQUEST', message: `unknown filter ${k}; use ${CALL_FILTERS.join(', ')}` } })
          }
          Promise.resolve(opts.calls?.() ?? []).then((calls) => {
            const items = listCalls(calls, url.searchParams, (opts.now ?? Date.now)())
            json(res, 200, { count: items.length, items })
          }, (err: unknown) => failed(req, res, err))
          return
        }
        default:
          return json(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${path}` } })
      }
    } catch (err) {
      failed(req, res, err)
    }
  }
  const server: Server = createServer(handle)
  server.keepAliveTimeout = 5_000
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      server.on('error', (err) => opts.log.error('status server error', { err }))
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((ok) => {
            server.close(() => ok())
            server.closeAllConnections()
          }),
      })
    })
  })
}
