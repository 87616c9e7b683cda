// Node's reader of the /docs assets: the files of the installed, pinned swagger-ui-dist package.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { DocsAssetReader } from '../docs/page.js'

const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))

/** Reads `name` (already checked against DOCS_ASSETS) from node_modules/swagger-ui-dist. */
export const readDocsAsset: DocsAssetReader = async (_c, name) => {
  try {
    return new Response(new Uint8Array(await readFile(join(dist, name))))
  } catch {
    return undefined
  }
}
