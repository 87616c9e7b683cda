// Builds the core for running without a TypeScript loader: core/ and shared/ transpiled file by file by esbuild into .build/ (same tree), with the files the core reads beside its code (migrations, prompts, package.json's version).
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
/** Where the built core goes (gitignored); `node .build/core/main.js` runs it. */
export const CORE_BUILD_DIR = join(root, '.build')
/** The built entry point of the core. */
export const CORE_BUILD_ENTRY = join(CORE_BUILD_DIR, 'core', 'main.js')

/** Production sources below a folder: TypeScript, no tests, benchmarks, test support, e2e suites or this build script. */
async function sources(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'test-support' && e.name !== 'e2e' && !e.name.startsWith('.')) out.push(...(await sources(p)))
    } else if (/\.ts$/.test(e.name) && !/\.(test|bench|d)\.ts$/.test(e.name) && p !== fileURLToPath(import.meta.url)) out.push(p)
  }
  return out
}

/** Every file below a folder, relative to it. */
async function filesBelow(dir: string, base = dir): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...(await filesBelow(p, base)))
    else out.push(relative(base, p))
  }
  return out
}

/**
 * Writes a file only when its bytes differ, through a temporary name and a rename, so a core starting from the same
 * folder meanwhile never reads a half-written module.
 */
async function writeIfChanged(path: string, bytes: Uint8Array): Promise<void> {
  const old = await readFile(path).catch(() => null)
  if (old !== null && Buffer.compare(old, bytes) === 0) return
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, bytes)
  await rename(tmp, path)
}

/**
 * Transpiles the core (esbuild reads each folder's tsconfig, as tsx does) into `outDir` and copies what it reads
 * at run time: `migrations/`, `core/media/prompts/` and a package.json with the version. Files of sources since
 * removed stay, unimported. Resolves to the number of modules built.
 */
export async function buildCore(outDir: string = CORE_BUILD_DIR): Promise<number> {
  const entryPoints = [...(await sources(join(root, 'core'))), ...(await sources(join(root, 'shared')))]
  const result = await build({
    entryPoints,
    outdir: outDir,
    outbase: root,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // Linked maps for `node --enable-source-maps` when a stack trace needs the TypeScript lines; unread otherwise.
    sourcemap: 'linked',
    write: false,
    logLevel: 'warning',
  })
  for (const f of result.outputFiles) await writeIfChanged(f.path, f.contents)
  for (const dir of ['migrations', join('core', 'media', 'prompts')]) {
    for (const rel of await filesBelow(join(root, dir))) await writeIfChanged(join(outDir, dir, rel), await readFile(join(root, dir, rel)))
  }
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { name: string; version: string }
  await writeIfChanged(join(outDir, 'package.json'), Buffer.from(JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: 'module' }, null, 2) + '\n'))
  return entryPoints.length
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = await buildCore()
  process.stdout.write(`built ${n} modules into ${relative(process.cwd(), CORE_BUILD_DIR) || '.'}\n`)
}
