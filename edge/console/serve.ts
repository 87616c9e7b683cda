// Serves the built console under /console/: files from the runtime's asset store, every other path the single page (client routing), with the console's security headers.
import type { Context, Hono } from 'hono'
import type { AppEnv } from '../env.js'
import { CONSOLE_SECURITY_HEADERS } from './headers.js'

/** Reads one built file by its URL path (`/console/`, `/console/assets/app-x.js`); null when there is none. */
export type ConsoleAssets = (c: Context<AppEnv>, path: string) => Promise<Response | null>

/** Adds the security headers (and no-cache for the page itself) to an asset response. */
function secured(res: Response, page: boolean): Response {
  const out = new Response(res.body, res)
  for (const [k, v] of Object.entries(CONSOLE_SECURITY_HEADERS)) out.headers.set(k, v)
  if (page) out.headers.set('cache-control', 'no-cache')
  return out
}

/** Mounts GET /console and /console/*; without an asset store (a test app) the console answers 404. */
export function mountConsole(app: Hono<AppEnv>, assets: ConsoleAssets | undefined): void {
  app.get('/console', (c) => c.redirect('/console/', 301))
  app.get('/console/*', async (c) => {
    if (assets === undefined) return c.notFound()
    const path = c.req.path
    if (path.startsWith('/console/assets/')) {
      const file = await assets(c, path)
      return file === null ? c.notFound() : secured(file, false)
    }
    // Every page URL (/console/gateways, /console/cdrs/cdr_1, ...) is the same page; the browser picks the view.
    const page = await assets(c, '/console/')
    if (page === null) return c.text('The console is not built: run npm run build:console', 503)
    return secured(page, true)
  })
}
