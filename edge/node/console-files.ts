// The Node edge's console asset store: the built files of edge/console/dist, read once and kept in memory.
import { readFile } from 'node:fs/promises'
import { join, normalize, sep } from 'node:path'
import type { ConsoleAssets } from '../console/serve.js'

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
}

/** Serves files under `dir` by URL path; `/console/` is `console/index.html`; nothing outside `dir` is reachable. */
export function consoleFiles(dir: string): ConsoleAssets {
  const cache = new Map<string, Promise<ArrayBuffer | null>>()
  return async (_c, urlPath) => {
    const relative = urlPath.endsWith('/') ? `${urlPath}index.html` : urlPath
    const file = normalize(join(dir, decodeURIComponent(relative)))
    if (!file.startsWith(dir + sep)) return null
    let body = cache.get(file)
    if (body === undefined) cache.set(file, (body = readFile(file).then((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer, () => null)))
    const bytes = await body
    if (bytes === null) {
      cache.delete(file)
      return null
    }
    const type = TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream'
    return new Response(bytes, { headers: { 'content-type': type, 'cache-control': 'public, max-age=31536000, immutable' } })
  }
}
