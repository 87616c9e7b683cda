// /docs in Debian's headless Chromium with every request off this origin blocked: Swagger UI from the pinned swagger-ui-dist renders the API's operations.
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, RESOURCES } from '../app.js'
import { readDocsAsset } from '../node/docs-assets.js'
import { isolatedContext, launchChromium } from '../test-support/chromium.js'
import { useHarness } from '../test-support/harness.js'
import { DOCS_ASSETS } from './page.js'

describe('/docs', () => {
  const h = useHarness()
  let server: ServerType
  let origin: string
  let browser: Browser

  beforeAll(async () => {
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await new Promise<void>((ok) => (server === undefined ? ok() : server.close(() => ok())))
  })

  /** Serves the harness's app with the Node asset reader on a free loopback port. */
  async function listen(): Promise<void> {
    const app = createApp({ getDb: () => h().db, docsAsset: readDocsAsset })
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise<void>((ok) => server.once('listening', () => ok()))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  it('serves every asset the page loads from the edge itself, and nothing outside the list', async () => {
    const app = createApp({ getDb: () => h().db, docsAsset: readDocsAsset })
    const page = await (await app.request('/docs')).text()
    const local = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(local.every((u) => u.startsWith('/docs/'))).toBe(true)
    for (const u of local) expect((await app.request(u)).status, u).toBe(200)
    for (const name of Object.keys(DOCS_ASSETS)) expect((await app.request(`/docs/assets/${name}`)).headers.get('content-type')).toBe(DOCS_ASSETS[name])
    expect((await app.request('/docs/assets/package.json')).status).toBe(404)
    expect((await app.request('/docs/assets/..%2Fpackage.json')).status).toBe(404)
  })

  it('renders the operations in Chromium with the network off', async () => {
    await listen()
    const { context, blocked } = await isolatedContext(browser, origin)
    const page = await context.newPage()
    const failed: string[] = []
    page.on('requestfailed', (r) => failed.push(r.url()))
    await page.goto(`${origin}/docs`)
    await page.waitForSelector('.opblock', { timeout: 30_000 })
    const operations = await page.locator('.opblock').count()
    const expected = RESOURCES.reduce((n, r) => n + r.operations.length, 0)
    expect(operations).toBeGreaterThanOrEqual(expected)
    expect(await page.locator('.information-container .title').innerText()).toMatch(/softswitch/i)
    expect(blocked).toEqual([])
    expect(failed).toEqual([])
    await context.close()
  }, 60_000)
})
