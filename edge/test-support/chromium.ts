// Launches Debian's headless Chromium (/usr/bin/chromium) through playwright-core for page tests; nothing downloads a browser.
import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'

/** The Debian package's binary (installed by scripts/install-test-deps.sh); CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Flags for a quiet, offline-friendly headless run as root in a container (no sandbox, no GPU, no phoning home). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const

/** Starts the browser; close it in the test's teardown (`browser.close()` ends its process group). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: run bash scripts/install-test-deps.sh (Debian package chromium)`)
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true, timeout: 60_000 })
}

/**
 * A context that can reach only `allowedOrigin` (e.g. `http://127.0.0.1:8787`): any other request is aborted and
 * recorded, so a page that needs a CDN fails its test instead of silently using the internet.
 */
export async function isolatedContext(browser: Browser, allowedOrigin: string): Promise<{ context: BrowserContext; blocked: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 850 } })
  const blocked: string[] = []
  await context.route('**/*', async (route) => {
    const url = route.request().url()
    if (url.startsWith(allowedOrigin + '/') || url === allowedOrigin || url.startsWith('data:') || url.startsWith('blob:')) return route.continue()
    blocked.push(url)
    return route.abort('blockedbyclient')
  })
  return { context, blocked }
}
