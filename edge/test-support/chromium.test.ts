// The shared Chromium launcher: Debian's binary starts headless, renders a page from a local server and blocks other origins.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { isolatedContext, launchChromium } from './chromium.js'

let browser: Browser
let server: Server
let origin: string

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end('<!doctype html><title>t</title><p id="p">local</p><img src="http://cdn.invalid/x.png">')
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await new Promise<void>((ok) => server?.close(() => ok()))
})

describe('launchChromium', () => {
  it('renders a page from a loopback server and aborts requests to any other origin', async () => {
    const { context, blocked } = await isolatedContext(browser, origin)
    const page = await context.newPage()
    await page.goto(origin + '/')
    expect(await page.textContent('#p')).toBe('local')
    await page.waitForLoadState('load')
    expect(blocked).toEqual(['http://cdn.invalid/x.png'])
    await context.close()
  })
})
