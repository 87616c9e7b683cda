// /docs: Swagger UI from the pinned swagger-ui-dist package, served by the edge itself (no CDN), so it works on an isolated network.
import { Hono, type Context } from 'hono'
import type { AppEnv } from '../env.js'

/** The swagger-ui-dist files the page loads, with their media types; nothing else is served from the package. */
export const DOCS_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
}

/** Reads one swagger-ui-dist file for the runtime: Workers through the static-assets binding, Node from node_modules. */
export type DocsAssetReader = (c: Context<AppEnv>, name: string) => Promise<Response | undefined>

/** The page: the bundle renders /openapi.json; the start script is a file of ours, so the page needs no inline script. */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>softswitch operator API</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
`

/** Starts Swagger UI on the API's own document; "Authorize" takes an API key as a bearer token. */
const START = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  validatorUrl: null,
})
`

/** GET /docs, /docs/start.js and /docs/assets/{file}; a file outside DOCS_ASSETS, or with no reader, is the common 404. */
export function docsRoutes(read: DocsAssetReader | undefined): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/', (c) => c.html(PAGE))
  app.get('/start.js', (c) => c.body(START, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }))
  app.get('/assets/:name', async (c) => {
    const name = c.req.param('name')
    const type = DOCS_ASSETS[name]
    const res = type === undefined || read === undefined ? undefined : await read(c, name)
    if (res === undefined || !res.ok) return c.notFound()
    // The package is pinned by package-lock.json: a day of caching is safe, and a new version brings new bytes anyway.
    return new Response(res.body, { status: 200, headers: { 'content-type': type!, 'cache-control': 'public, max-age=86400' } })
  })
  return app
}
