// The console build: one hashed JS and CSS file referenced from index.html, nothing from another origin, the security headers for Workers assets, and the JavaScript under 150 KB gzipped.
import { readFileSync, rmSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { buildConsole } from './build.js'

/** The budget the console's JavaScript must stay under (gzipped), so a wall display on a slow link loads it quickly. */
const JS_BUDGET_GZIP_BYTES = 150 * 1024

const out = mkdtempSync(join(tmpdir(), 'softswitch-console-build-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('buildConsole', () => {
  it('writes index.html pointing at hashed same-origin assets and keeps the JavaScript under 150 KB gzipped', async () => {
    const built = await buildConsole(out)
    const html = readFileSync(join(out, 'console', 'index.html'), 'utf8')
    expect(built.js).toMatch(/^\/console\/assets\/app-[A-Z0-9]+\.js$/)
    expect(html).toContain(`src="${built.js}"`)
    expect(html).toContain(`href="${built.css}"`)
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//)
    const js = readFileSync(join(out, built.js.slice(1)))
    const gzipped = gzipSync(js, { level: 9 }).length
    console.log(JSON.stringify({ msg: 'console bundle', jsBytes: js.length, jsGzipBytes: gzipped, cssBytes: built.cssBytes, budgetGzipBytes: JS_BUDGET_GZIP_BYTES }))
    expect(gzipped).toBeLessThan(JS_BUDGET_GZIP_BYTES)
    expect(js.toString()).not.toMatch(/\bimport\s*\(?\s*["']https?:/)
  })

  it('writes the _headers file that gives Workers static assets the CSP and immutable caching', () => {
    const headers = readFileSync(join(out, '_headers'), 'utf8')
    expect(headers).toMatch(/^\/console\/\*\n {2}Content-Security-Policy: default-src 'self'; script-src 'self';/)
    expect(headers).toContain("frame-ancestors 'none'")
    expect(headers).toMatch(/\/console\/assets\/\*\n {2}Cache-Control: public, max-age=31536000, immutable/)
  })
})
