// The core's Docker build context without a Docker daemon: .dockerignore's rules (Docker's own matching) keep installs, local data and .git out, and everything core/Dockerfile COPYs is in.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// A CommonJS module whose types declare an ES default export: load it as what it is.
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as typeof import('@balena/dockerignore').default
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const rules = dockerignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'))
/** What the builder would receive: relative path -> size, walking only folders the rules do not drop whole. */
function context(dir = ROOT, out = new Map<string, number>()): Map<string, number> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name)
    const rel = relative(ROOT, path)
    if (e.isDirectory()) {
      // Docker may re-include below an ignored folder with `!`; these rules have no exception, so skipping is exact.
      if (!rules.ignores(`${rel}/`)) context(path, out)
    } else if (!rules.ignores(rel)) {
      out.set(rel, statSync(path).size)
    }
  }
  return out
}

/** Source paths of every COPY in the Dockerfile (not `--from` stages), as written. */
function copySources(dockerfile: string): string[] {
  return dockerfile
    .split('\n')
    .filter((l) => /^COPY\s/i.test(l) && !/--from=/i.test(l))
    .flatMap((l) => {
      const parts = l.trim().split(/\s+/).slice(1).filter((p) => !p.startsWith('--'))
      return parts.slice(0, -1).map((p) => p.replace(/\/$/, ''))
    })
}

describe('core Docker build context', () => {
  const files = context()

  it('leaves out node_modules, data/, .git, build output, tests and the edge', () => {
    for (const path of ['node_modules/hono/package.json', 'data/softswitch.db', 'data/cdr-journal/cdr-000000000001.ndjson', '.git/HEAD', '.git', 'dist/index.js', '.wrangler/state', 'edge/app.ts', 'core/cdr/sink.test.ts', 'core/e2e/drain.e2e.test.ts', 'core/sip/conformance/test-support/rfc4475/wsinv.dat']) {
      expect(rules.ignores(path), path).toBe(true)
    }
    const unwanted = [...files.keys()].filter((f) => /^(node_modules|data|\.git|dist|\.wrangler|edge)(\/|$)|\.test\.ts$|\/test-support\//.test(f))
    expect(unwanted).toEqual([])
  })

  it('holds every path core/Dockerfile copies, with the core, shared code, migrations and the prompt', () => {
    const sources = copySources(readFileSync(join(ROOT, 'core/Dockerfile'), 'utf8'))
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'core', 'shared', 'migrations']))
    for (const src of sources) {
      expect(existsSync(join(ROOT, src)), `${src} exists`).toBe(true)
      expect([...files.keys()].some((f) => f === src || f.startsWith(`${src}/`)), `${src} is in the context`).toBe(true)
    }
    for (const f of ['core/main.ts', 'core/config/env.ts', 'shared/db/node/database.ts', 'core/media/prompts/warning.wav', 'migrations/meta/_journal.json']) {
      expect(files.has(f), f).toBe(true)
    }
  })

  it('stays small: under 5 MB, none of it installed packages', () => {
    const bytes = [...files.values()].reduce((a, b) => a + b, 0)
    expect(bytes).toBeLessThan(5 * 1024 * 1024)
  })
})
