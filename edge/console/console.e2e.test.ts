// The operator console in Debian's headless Chromium against a real core, the Node edge on the same database and SIPp: login, charts, a diagnosis finding with its links, cause and advice, gateway CRUD, a live call hung up from the page with its OperatorHangup CDR, inline parameter validation, a 1,000-row CSV import, the audit trail, and a viewer refused every write.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CUSTOMER_ACCOUNT, LOCAL_IP_CUSTOMER, settle, vendorGateway } from '../../core/e2e/test-support/call-fixtures.js'
import { freeUdpPort, startCore, startEdge, startSipp, startSippUas, waitFor, type CoreProcess, type EdgeProcess } from '../../core/e2e/test-support/harness.js'
import { isolatedContext, launchChromium } from '../test-support/chromium.js'
import { ensureConsoleBuilt } from './build.js'

const ADMIN_KEY = 'ssk_console_e2e_admin_0123456789abcdef'
const VENDOR = 'rgw_vendor'

let core: CoreProcess
let edge: EdgeProcess
let origin: string
let browser: Browser
let admin: BrowserContext
let page: Page
let viewerKey: string
let vendorPort: number
const blockedRequests: string[] = []
const tmp = mkdtempSync(join(tmpdir(), 'softswitch-console-'))

/** Waits (at most 5 s, so a poll's attempt never outlives the poll) until `table` shows its answer instead of Loading…. */
async function loaded(table: Locator): Promise<void> {
  await table.locator('tbody tr').first().waitFor({ timeout: 5_000 })
  await table.locator('tbody td', { hasText: 'Loading…' }).waitFor({ state: 'detached', timeout: 5_000 })
}

/** JSON from the edge with the admin bearer key (test set-up and checks outside the browser). */
async function apiAsAdmin(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(origin + path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`)
  return text === '' ? null : JSON.parse(text)
}

/** Logs a context in through the login page. */
async function logIn(p: Page, key: string): Promise<void> {
  await p.goto(`${origin}/console/`)
  await p.getByLabel('API key').fill(key)
  await p.getByRole('button', { name: 'Log in' }).click()
  await p.getByTestId('who').waitFor()
}

beforeAll(async () => {
  await ensureConsoleBuilt()
  vendorPort = await freeUdpPort()
  core = await startCore({ STATUS_PUBLISH_MS: '300', HANGUP_POLL_MS: '100' }, {
    config: { accounts: [CUSTOMER_ACCOUNT], mappingGateways: [LOCAL_IP_CUSTOMER], routingGateways: [vendorGateway(VENDOR, vendorPort)] },
  })
  edge = await startEdge(core.databaseUrl, ADMIN_KEY, tmp)
  origin = edge.origin
  viewerKey = (await apiAsAdmin('POST', '/v1/api-keys', { name: 'wallboard', role: 'viewer' })).secret
  browser = await launchChromium()
  const isolated = await isolatedContext(browser, origin)
  admin = isolated.context
  blockedRequests.push(...isolated.blocked)
  page = await admin.newPage()
  page.on('dialog', (d) => void d.accept())
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await edge?.stop()
  await core?.stop()
  rmSync(tmp, { recursive: true, force: true })
})

describe('operator console in Chromium', () => {
  it('logs in with an API key and draws the overview charts, with nothing fetched from another origin', async () => {
    await logIn(page, ADMIN_KEY)
    await expect.poll(() => page.getByTestId('who').textContent()).toContain('(admin)')
    const cookies = await admin.cookies()
    expect(cookies.find((c) => c.name === 'ss_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' })
    await page.reload()
    await page.locator('[data-testid=chart-calls] canvas').waitFor()
    const timings = await page.evaluate(() => ({
      paint: Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, Math.round(e.startTime)])),
      loaded: Math.round(performance.getEntriesByType('navigation')[0]!.duration),
    }))
    const dataShownMs = await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid=stat-calls-now] .stat-value')?.textContent ?? '') && performance.now()).then((h) => h.jsonValue())
    console.log(JSON.stringify({ msg: 'overview timing on the Node edge', firstPaintMs: timings.paint['first-paint'], firstContentfulPaintMs: timings.paint['first-contentful-paint'], loadMs: timings.loaded, overviewDataShownMs: Math.round(Number(dataShownMs)) }))
    expect(timings.paint['first-contentful-paint']).toBeGreaterThan(0)
    // A drawn uPlot canvas has opaque pixels (axes, grid, lines); an empty one is all transparent.
    const drawn = await page.$$eval('.chart canvas', (canvases) => canvases.map((c) => {
      const el = c as HTMLCanvasElement
      const px = el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data
      let opaque = 0
      for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) opaque++
      return { width: el.width, opaque }
    }))
    expect(drawn).toHaveLength(3)
    for (const d of drawn) expect(d.opaque).toBeGreaterThan(100)
    expect(blockedRequests).toEqual([])
  })

  it('shows a diagnosis finding on the overview: what it is about as links, its cause and its advice apart', async () => {
    const vendor = await apiAsAdmin('POST', '/v1/accounts', { name: 'vendor-short', type: 'prepaid', balance: 0 })
    const gateway = await apiAsAdmin('POST', '/v1/routing-gateways', { name: 'vendor-short-gw', host: '198.51.100.78', prefixes: ['0097'], clearingAccountId: vendor.id })
    await apiAsAdmin('PUT', '/v1/parameters/SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT', { value: 1 })
    try {
      await page.goto(`${origin}/console/overview`)
      const row = page.getByTestId('findings').locator('tbody tr', { hasText: 'VendorBalanceLow' })
      await row.waitFor()
      // The overview re-renders every 30 s: poll what the row shows rather than hold on to one rendering of it.
      await expect.poll(() => row.locator('a').evaluateAll((links) => links.map((a) => [a.getAttribute('href'), a.textContent])), { timeout: 40_000 }).toEqual([
        [`/console/gateways/routing/${gateway.id}`, 'vendor-short-gw'],
        [`/console/accounts/${vendor.id}`, vendor.id],
      ])
      const [severity, kind, , cause, advice] = await row.locator('td').allTextContents()
      expect([severity, kind]).toEqual(['warning', 'VendorBalanceLow'])
      expect(cause).toMatch(/holds 0, below SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT \(1\)/)
      expect(advice).toMatch(/^Recharge the clearing account/)
    } finally {
      await apiAsAdmin('PUT', '/v1/parameters/SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT', { value: 0 })
    }
  })

  it('creates a routing gateway from the form and sees it listed', async () => {
    await page.goto(`${origin}/console/gateways`)
    await page.getByRole('button', { name: 'New routing gateway' }).click()
    const form = page.locator('form[data-operation=createRoutingGateway]')
    await form.locator('[name=name]').fill('console-made')
    await form.locator('[name=host]').fill('not a host!')
    await form.getByRole('button', { name: 'Create' }).click()
    // The API's zod issue appears under the field it names.
    const hostField = form.locator('.field.invalid').filter({ has: page.locator('[name=host]') })
    await expect.poll(() => hostField.locator('[role=alert]').count()).toBe(1)
    await form.locator('[name=host]').fill('198.51.100.77')
    await form.locator('[name=port]').fill('5080')
    await form.locator('[name=prefixes]').fill('0099, 0098')
    await form.getByRole('button', { name: 'Create' }).click()
    await page.getByTestId('routing-gateways').getByRole('link', { name: 'console-made' }).waitFor()
    const made = (await apiAsAdmin('GET', '/v1/routing-gateways/export')).items.find((g: any) => g.name === 'console-made')
    expect(made).toMatchObject({ host: '198.51.100.77', port: 5080, prefixes: ['0099', '0098'] })
  })

  it('shows a SIPp call on Live calls, hangs it up from the page, and finds its CDR with OperatorHangup', async () => {
    const vendor = await startSippUas({ scenario: 'uas-invite-answer-expect-bye.xml', port: vendorPort, timeoutSec: 40 })
    const customer = await startSipp({ scenario: 'uac-call-held-expect-bye.xml', target: core.target, calls: 1, service: '4930123', caller: '7001', timeoutSec: 40 })
    await page.goto(`${origin}/console/calls`)
    const row = page.getByTestId('live-calls').locator('tbody tr', { hasText: '4930123' })
    await expect.poll(() => row.locator('.badge').first().textContent(), { timeout: 20_000 }).toBe('connected')
    const callId = await row.getAttribute('data-key')
    await row.getByRole('button', { name: 'Hang up' }).click()
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(0)
    const c = await settle(customer, 15_000)
    const v = await settle(vendor, 15_000)
    expect([c.successful, c.failed]).toEqual([1, 0])
    expect([v.successful, v.failed]).toEqual([1, 0])
    await page.goto(`${origin}/console/cdrs?reason=OperatorHangup`)
    await expect.poll(async () => {
      await page.goto(`${origin}/console/cdrs?reason=OperatorHangup`)
      // Counted once the search has answered (its rows or "No CDR matches."), never while the table says Loading….
      await loaded(page.getByTestId('cdrs'))
      return page.getByTestId('cdrs').locator(`tbody tr[data-key="${callId}"] [data-testid=cdr-reason]`).count()
    }, { timeout: 20_000 }).toBe(1)
    await page.getByTestId('cdrs').locator(`tbody tr[data-key="${callId}"]`).click()
    await page.getByTestId('cdr-attempts').locator('tbody tr', { hasText: VENDOR }).waitFor()
    expect(await page.locator('.fields').textContent()).toContain('OperatorHangup')
  })

  it('shows the API validation error on the parameter row and saves a valid value', async () => {
    await page.goto(`${origin}/console/parameters`)
    const row = page.getByTestId('parameters').locator('tr[data-key=SS_MAXCALLDURATION]')
    await row.getByLabel('SS_MAXCALLDURATION').fill('-5')
    await row.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => row.locator('.issue').count()).toBe(1)
    await row.getByLabel('SS_MAXCALLDURATION').fill('3600')
    await row.getByRole('button', { name: 'Save' }).click()
    await expect.poll(async () => (await apiAsAdmin('GET', '/v1/parameters/SS_MAXCALLDURATION')).value).toBe(3600)
  })

  it('imports 1,000 routing gateways from a CSV file', async () => {
    const lines = ['name,host,port,prefixes,priority']
    for (let i = 0; i < 1000; i++) lines.push(`bulk-${String(i).padStart(4, '0')},192.0.2.${(i % 250) + 1},${5060 + (i % 4)},0088${i},${i % 10}`)
    const file = join(tmp, 'vendors.csv')
    writeFileSync(file, lines.join('\r\n') + '\r\n')
    await page.goto(`${origin}/console/gateways`)
    await page.getByLabel('CSV file').setInputFiles(file)
    await page.getByRole('button', { name: 'Import' }).click()
    await expect.poll(() => page.getByTestId('import-result').textContent(), { timeout: 60_000 }).toContain('Imported 1000 row(s): 1000 created')
    await page.getByTestId('routing-gateways').getByRole('link', { name: 'bulk-0999' }).waitFor({ timeout: 30_000 })
    const all = (await apiAsAdmin('GET', '/v1/routing-gateways/export')).items
    expect(all.filter((g: any) => g.name.startsWith('bulk-'))).toHaveLength(1000)
  })

  it('lists the audit entries of what was done in the browser, with before and after', async () => {
    await page.goto(`${origin}/console/audit`)
    const table = page.getByTestId('audit')
    await table.locator('tbody tr', { hasText: 'importRoutingGateways' }).waitFor()
    const operations = await table.locator('tbody tr td:nth-child(6)').allTextContents()
    for (const op of ['importRoutingGateways', 'hangupCall', 'createRoutingGateway', 'createSession']) expect(operations).toContain(op)
    await table.locator('tbody tr', { hasText: 'hangupCall' }).click()
    const detail = page.getByTestId('audit-detail')
    await detail.waitFor()
    expect(await detail.textContent()).toContain('"status": "done"')
    expect(await detail.textContent()).toContain('"caller": "7001"')
  })

  it('refuses every write of a viewer key, in the page and through the API with its session', async () => {
    const { context } = await isolatedContext(browser, origin)
    const viewer = await context.newPage()
    await logIn(viewer, viewerKey)
    await viewer.goto(`${origin}/console/gateways`)
    await viewer.getByTestId('routing-gateways').locator('tbody tr[data-key]').first().waitFor()
    expect(await viewer.getByRole('button', { name: /New routing gateway|Delete|Lock|Import/ }).count()).toBe(0)
    const refused = await viewer.evaluate(async () => {
      const session = await (await fetch('/v1/session')).json()
      const doc = await (await fetch('/openapi.json')).json()
      const out: { method: string; path: string; status: number }[] = []
      for (const [path, ops] of Object.entries<any>(doc.paths)) {
        for (const method of Object.keys(ops)) {
          if (method === 'get' || path === '/v1/session') continue
          const url = path.replace(/\{[^}]+\}/g, 'x_1')
          const res = await fetch(url, { method: method.toUpperCase(), headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken }, body: '{}' })
          out.push({ method, path, status: res.status })
        }
      }
      return out
    })
    expect(refused.length).toBeGreaterThan(30)
    expect(refused.filter((r) => r.status !== 403)).toEqual([])
    await context.close()
  })
})
