// Builds the edge's static files into edge/console/dist: the operator console (esbuild: hashed JS and CSS under console/assets/, index.html), the swagger-ui-dist files /docs needs under docs/, and a _headers file.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { DOCS_ASSETS } from '../docs/page.js'
import { CONSOLE_SECURITY_HEADERS } from './headers.js'

const here = dirname(fileURLToPath(import.meta.url))
/** Where the built console goes (wrangler.toml's [assets] directory; the Node edge serves the same files). */
export const CONSOLE_DIST = join(here, 'dist')
/** The console's files live under this path of the edge. */
export const CONSOLE_BASE = '/console/'

/** What a build wrote: the asset paths index.html references and their sizes. */
export interface ConsoleBuild {
  js: string
  css: string
  jsBytes: number
  cssBytes: number
}

/** Bundles src/main.tsx (Preact, uPlot) minified for browsers of the last few years and writes dist/ anew. */
export async function buildConsole(outDir: string = CONSOLE_DIST): Promise<ConsoleBuild> {
  const assets = join(outDir, 'console', 'assets')
  await rm(outDir, { recursive: true, force: true })
  await mkdir(assets, { recursive: true })
  const result = await build({
    entryPoints: { app: join(here, 'src', 'main.tsx') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: assets,
    entryNames: '[name]-[hash]',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  const outputs = Object.entries(result.metafile.outputs)
  const js = outputs.find(([p]) => p.endsWith('.js'))
  const css = outputs.find(([p]) => p.endsWith('.css'))
  if (js === undefined || css === undefined) throw new Error('esbuild wrote no app JS or CSS')
  const jsPath = `${CONSOLE_BASE}assets/${basename(js[0])}`
  const cssPath = `${CONSOLE_BASE}assets/${basename(css[0])}`
  const template = await readFile(join(here, 'index.html'), 'utf8')
  await writeFile(join(outDir, 'console', 'index.html'), template.replace('%CSS%', cssPath).replace('%JS%', jsPath))
  // One [assets] directory serves the Worker: /docs reads its swagger-ui-dist files from docs/.
  const swagger = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
  await mkdir(join(outDir, 'docs'), { recursive: true })
  for (const name of Object.keys(DOCS_ASSETS)) await copyFile(join(swagger, name), join(outDir, 'docs', name))
  // For assets Workers would serve without running the Worker (the app adds the same headers to what it serves).
  const headerLines = Object.entries(CONSOLE_SECURITY_HEADERS).map(([k, v]) => `  ${k}: ${v}`)
  await writeFile(join(outDir, '_headers'), [
    `${CONSOLE_BASE}*`, ...headerLines,
    `${CONSOLE_BASE}assets/*`, '  Cache-Control: public, max-age=31536000, immutable', '',
  ].join('\n'))
  return { js: jsPath, css: cssPath, jsBytes: js[1].bytes, cssBytes: css[1].bytes }
}

/** Builds once when dist/ is missing (tests and `npm start` call it; `npm run build:console` always builds). */
export async function ensureConsoleBuilt(outDir: string = CONSOLE_DIST): Promise<void> {
  if (!existsSync(join(outDir, 'console', 'index.html'))) await buildConsole(outDir)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const b = await buildConsole()
  console.log(JSON.stringify({ msg: 'console built', dir: CONSOLE_DIST, js: b.js, jsBytes: b.jsBytes, css: b.css, cssBytes: b.cssBytes }))
}
