// The monitoring files in docs/: the alert rules pass `promtool check rules`, and every softswitch_ metric they or the Grafana dashboard query is one the code registers.
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { promtoolCheckRules } from '../shared/db/node/test-support/promtool.js'

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const ALERTS = join(ROOT, 'docs/prometheus-alerts.yml')
const DASHBOARD = join(ROOT, 'docs/grafana-dashboard.json')

/** Every non-test TypeScript source of core/ and edge/, concatenated (where metric names are registered). */
function sources(dir: string): string {
  let out = ''
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory() && e.name !== 'test-support' && e.name !== 'e2e') out += sources(p)
    else if (e.isFile() && e.name.endsWith('.ts') && !/\.(test|bench)\.ts$/.test(e.name)) out += readFileSync(p, 'utf8')
  }
  return out
}

/** softswitch_ metric families a text queries (histogram series mapped to their family). */
function queried(text: string): string[] {
  const names = [...text.matchAll(/\bsoftswitch_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''))
  return [...new Set(names)].sort()
}

describe('monitoring files', () => {
  const code = sources(join(ROOT, 'core')) + sources(join(ROOT, 'edge'))
  /** Whether the code registers the family: core names it without the prefix, the Node edge with it. */
  const registered = (family: string): boolean => code.includes(`'${family.slice('softswitch_'.length)}'`) || code.includes(`'${family}'`)

  it('docs/prometheus-alerts.yml passes promtool check rules', () => {
    const r = promtoolCheckRules(ALERTS)
    expect(r.status, r.findings).toBe(0)
    expect(r.findings).toMatch(/SUCCESS: \d+ rules found/)
  })

  it.each([ALERTS, DASHBOARD])('%s queries only metrics the code registers', (file) => {
    const names = queried(readFileSync(file, 'utf8'))
    expect(names.length).toBeGreaterThan(3)
    expect(names.filter((n) => !registered(n))).toEqual([])
  })

  it('the dashboard is Grafana JSON with a Prometheus query in every panel', () => {
    const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] }
    expect(dash.panels.length).toBeGreaterThan(10)
    for (const p of dash.panels) expect(p.targets.length, p.title).toBeGreaterThan(0)
  })
})
