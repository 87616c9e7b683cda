// The Node edge's /metrics on a port of its own (loopback by default): prom-client's process metrics, build info and API requests by route and status.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { collectDefaultMetrics, Counter, Histogram, Registry, Gauge } from 'prom-client'
import type { Logger } from '../../shared/log/logger.js'
import type { RequestRecord } from '../middleware/access-log.js'

/** The edge's registry and what the access log feeds into it. */
export interface EdgeMetrics {
  registry: Registry
  /** Counts and times one answered API request (the access-log middleware calls it). */
  observe(r: RequestRecord): void
}

/** Builds the registry: default process_* / nodejs_* metrics, softswitch_build_info, and the API request metrics. */
export function createEdgeMetrics(version: string): EdgeMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  // Gauges named *_total that promtool flags (counts of handles, requests, resources); the per-type gauges stay.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name)
  new Gauge({ name: 'softswitch_build_info', help: 'Build of this process: always 1, the labels say which', labelNames: ['service', 'version', 'node'], registers: [registry] })
    .labels('edge', version, process.version)
    .set(1)
  const requests = new Counter({ name: 'softswitch_http_requests_total', help: 'API requests answered, by method, route pattern and status', labelNames: ['method', 'route', 'status'], registers: [registry] })
  const duration = new Histogram({
    name: 'softswitch_http_request_duration_seconds',
    help: 'Time to answer an API request, by method and route pattern',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  return {
    registry,
    observe(r) {
      requests.labels(r.method, r.route, String(r.status)).inc()
      duration.labels(r.method, r.route).observe(r.latencyMs / 1000)
    },
  }
}

/** Serves GET /metrics on host:port (0 picks a free port); anything else is 404. Resolves once it listens. */
export function serveEdgeMetrics(metrics: EdgeMetrics, host: string, port: number, log: Logger): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://metrics').pathname !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
      return
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' }).end(text),
      (err: unknown) => {
        log.error('metrics render failed', { err })
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics render failed\n')
      },
    )
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve({ server, port: (server.address() as AddressInfo).port })
    })
  })
}
