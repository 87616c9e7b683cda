// The console as the Node edge serves it: the page for every console URL with the security headers, hashed assets, no way out of the build folder.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { consoleFiles } from '../node/console-files.js'
import { CONSOLE_DIST, ensureConsoleBuilt } from './build.js'

let app: ReturnType<typeof createApp>
beforeAll(async () => {
  await ensureConsoleBuilt()
  // The console routes never touch the database.
  app = createApp({ getDb: () => { throw new Error('no database in this test') }, consoleAssets: consoleFiles(CONSOLE_DIST) })
})

describe('GET /console/*', () => {
  it('answers every page URL with the console page, its CSP and no-cache', async () => {
    for (const path of ['/console/', '/console/gateways', '/console/cdrs/cdr_1']) {
      const res = await app.request(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(await res.text()).toContain('<div id="app">')
    }
    const bare = await app.request('/console')
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/console/'])
  })

  it('serves the hashed bundle as immutable JavaScript and 404s unknown or escaping asset paths', async () => {
    const html = readFileSync(join(CONSOLE_DIST, 'console', 'index.html'), 'utf8')
    const js = /src="([^"]+)"/.exec(html)![1]!
    const res = await app.request(js)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(res.headers.get('cache-control')).toContain('immutable')
    expect((await app.request('/console/assets/missing.js')).status).toBe(404)
    expect((await app.request('/console/assets/%2e%2e/%2e%2e/index.html')).status).toBe(404)
    expect((await app.request('/console/assets/..%2f..%2f..%2fpackage.json')).status).toBe(404)
  })
})
