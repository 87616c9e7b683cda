// Generates docs/api.md's route table from the OpenAPI document the edge serves (`npx tsx scripts/route-docs.ts --write`).
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PUBLIC_PATHS, RESOURCES } from '../edge/app.js'
import { buildOpenApiDocument } from '../edge/openapi/document.js'
import { cell, replaceBlock } from './generated-block.js'

const apiDocPath = join(resolve(fileURLToPath(new URL('.', import.meta.url)), '..'), 'docs/api.md')

interface OperationDoc {
  summary?: string
  security?: unknown[]
  'x-min-role'?: string
}

/** One row per operation: method, path, the role it needs (public, viewer for reads, admin for writes), summary. */
export function renderRouteTable(): string {
  const doc = buildOpenApiDocument(RESOURCES, PUBLIC_PATHS) as { paths: Record<string, Record<string, OperationDoc>> }
  const rows: string[] = []
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const who = Array.isArray(op.security) && op.security.length === 0 ? 'public' : (op['x-min-role'] ?? (method === 'get' ? 'viewer' : 'admin'))
      rows.push(`| ${method.toUpperCase()} | \`${path}\` | ${who} | ${cell(op.summary)} |`)
    }
  }
  return ['| method | path | key | what it does |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

/** Returns `text` with its routes block replaced by the current table. */
export function withRouteTable(text: string): string {
  return replaceBlock(text, 'routes', 'scripts/route-docs.ts', renderRouteTable())
}

/** Reads docs/api.md. */
export function readApiDoc(): string {
  return readFileSync(apiDocPath, 'utf8')
}

if (process.argv.includes('--write')) writeFileSync(apiDocPath, withRouteTable(readApiDoc()))
