// The core's HTTP status port: /health (JSON), /metrics (Prometheus text), /v1/calls (current calls, filterable by gateway); node:http, read-only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from '../lib/log.js'
import type { Metrics } from '../lib/metrics.js'

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

/** Options for startStatusServer. */
export interface StatusServerOptions {
  /** Bind address (STATUS_HOST; default 127.0.0.1). */
  host: string
  /** STATUS_PORT; 0 picks a free port. */
  port: number
  metrics: Metrics
  health: () => HealthReport
  /** Current calls for /v1/calls. */
  calls?: () => readonly CallListItem[]
  /** Epoch ms for call ages (default Date.now). */
  now?: () => number
  log: Logger
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
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      const url = new URL(req.url ?? '/', 'http://status')
      const path = url.pathname
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD')
        return json(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: `${req.method ?? ''} not allowed` } })
      }
      switch (path) {
        case '/health': {
          const h = opts.health()
          return json(res, h.ok ? 200 : 503, h)
        }
        case '/metrics':
          return reply(res, 200, 'text/plain; version=0.0.4; charset=utf-8', opts.metrics.render())
        case '/v1/calls': {
          for (const k of url.searchParams.keys()) {
            if (!(CALL_FILTERS as readonly string[]).includes(k)) return json(res, 400, { error: { code: 'BAD_REQUEST', message: `unknown filter ${k}; use ${CALL_FILTERS.join(', ')}` } })
          }
          const items = listCalls(opts.calls?.() ?? [], url.searchParams, (opts.now ?? Date.now)())
          return json(res, 200, { count: items.length, items })
        }
        default:
          return json(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${path}` } })
      }
    } catch (err) {
      opts.log.error('status request failed', { err, url: req.url })
      if (!res.headersSent) json(res, 500, { error: { code: 'INTERNAL', message: 'status handler failed' } })
      else res.destroy()
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
