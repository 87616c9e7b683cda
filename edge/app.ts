// createApp(): the operator API as one runtime-agnostic Hono app (request id, db, auth, resources, OpenAPI, one error exit).
import { Hono, type Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { requestId } from 'hono/request-id'
import { z } from 'zod'
import { silentLogger, type Logger } from '../shared/log/logger.js'
import { readConfigVersion } from './config-version.js'
import type { AppEnv, Db } from './env.js'
import { notFoundResponse, toErrorResponse } from './errors.js'
import { auditWrites } from './audit/middleware.js'
import { docsRoutes, type DocsAssetReader } from './docs/page.js'
import { accessLog, type RequestRecord } from './middleware/access-log.js'
import { mountConsole, type ConsoleAssets } from './console/serve.js'
import { requireApiKey } from './middleware/auth.js'
import { buildOpenApiDocument } from './openapi/document.js'
import type { Resource } from './openapi/operation.js'
import { blacklistRoutes, whitelistRoutes } from './routes/access-lists/index.js'
import { accountsRoutes } from './routes/accounts/index.js'
import { alertRulesRoutes } from './routes/alert-rules/index.js'
import { alertsRoutes } from './routes/alerts/index.js'
import { analysisRoutes } from './routes/analysis/index.js'
import { auditRoutes } from './routes/audit/index.js'
import { apiKeysRoutes } from './routes/api-keys/index.js'
import { callsRoutes } from './routes/calls/index.js'
import { cdrsRoutes } from './routes/cdrs/index.js'
import { gatewayGroupsRoutes } from './routes/gateway-groups/index.js'
import { mappingGatewaysRoutes } from './routes/mapping-gateways/index.js'
import { parametersRoutes } from './routes/parameters/index.js'
import { rateTablesRoutes } from './routes/rate-tables/index.js'
import { routingGatewaysRoutes } from './routes/routing-gateways/index.js'
import { sessionRoutes } from './routes/session/index.js'
import { registrationsRoutes } from './routes/registrations/index.js'
import { statusRoutes } from './routes/status/index.js'
import { webhooksRoutes } from './routes/webhooks/index.js'

/** How the app gets its database (Workers build one from bindings, Node passes its open embedded db) and where it logs. */
export interface AppOptions {
  getDb: (c: Context<AppEnv>) => Db
  /** Access log and errors (default: nothing, for tests); Node passes pino, Workers the JSON writer. */
  log?: Logger
  /** Where /docs gets its swagger-ui-dist files (Node: node_modules; Workers: the static-assets binding). */
  docsAsset?: DocsAssetReader
  /** Where the built console's files come from (Workers: the ASSETS binding; Node: edge/console/dist). */
  consoleAssets?: ConsoleAssets
  /** Told of every answered request (the Node edge counts them on its /metrics). */
  onRequest?: (r: RequestRecord) => void
}

/** Every resource under /v1, in the order the OpenAPI document lists them. */
export const RESOURCES: readonly Resource[] = [
  accountsRoutes,
  mappingGatewaysRoutes,
  routingGatewaysRoutes,
  gatewayGroupsRoutes,
  rateTablesRoutes,
  parametersRoutes,
  apiKeysRoutes,
  cdrsRoutes,
  callsRoutes,
  analysisRoutes,
  statusRoutes,
  registrationsRoutes,
  alertRulesRoutes,
  webhooksRoutes,
  alertsRoutes,
  blacklistRoutes,
  whitelistRoutes,
  auditRoutes,
  sessionRoutes,
]

const healthBody = z.object({ ok: z.literal(true), configVersion: z.number().int().describe('current config version') })

/** The public routes' OpenAPI entries (they sit outside the resources and need no key). */
export const PUBLIC_PATHS = {
  '/': {
    get: { operationId: 'root', summary: 'Redirects to /docs, where a person starts; public', security: [], responses: { 302: { description: 'to /docs' } } },
  },
  '/health': {
    get: {
      operationId: 'health',
      summary: 'Liveness and database reachability; public',
      security: [],
      responses: {
        200: { description: 'healthy', content: { 'application/json': { schema: z.toJSONSchema(healthBody) } } },
        500: { description: 'database unreachable', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    },
  },
  '/openapi.json': {
    get: { operationId: 'openapi', summary: 'This document; public', security: [], responses: { 200: { description: 'OpenAPI 3.1' } } },
  },
  '/docs': {
    get: { operationId: 'docs', summary: 'Swagger UI from the pinned swagger-ui-dist, served here (no CDN); public', security: [], responses: { 200: { description: 'HTML' } } },
  },
}

/** Builds the operator API; the same app serves Workers (`edge/worker.ts`) and Node (`edge/node/main.ts`). */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  let openApiDocument: Record<string, unknown> | undefined

  app.use(requestId())
  app.use(accessLog(options.log ?? silentLogger, options.onRequest))
  const attachDb = createMiddleware<AppEnv>(async (c, next) => {
    c.set('db', options.getDb(c))
    await next()
  })
  app.use('/health', attachDb)
  app.use('/v1/*', attachDb, auditWrites, requireApiKey)

  app.get('/health', async (c) => c.json({ ok: true as const, configVersion: await readConfigVersion(c.var.db) }))
  app.get('/openapi.json', (c) => {
    openApiDocument ??= buildOpenApiDocument(RESOURCES, PUBLIC_PATHS)
    return c.json(openApiDocument)
  })
  app.get('/', (c) => c.redirect('/docs', 302))
  app.route('/docs', docsRoutes(options.docsAsset))

  for (const resource of RESOURCES) app.route(resource.basePath, resource.app)
  mountConsole(app, options.consoleAssets)

  app.onError(toErrorResponse)
  app.notFound(notFoundResponse)
  return app
}
