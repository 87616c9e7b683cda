// Generates the configuration table (README.md and docs/api.md) from the env schemas of core and edge (`npx tsx scripts/env-docs.ts --write`).
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { z } from 'zod'
import { coreEnvSchema } from '../core/config/env.js'
import { workerEnvSchema } from '../edge/env.js'
import { nodeEnvSchema } from '../edge/node/env.js'
import { cell, replaceBlock } from './generated-block.js'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
/** The files that carry the generated table. */
export const ENV_DOC_FILES = ['README.md', 'docs/api.md'] as const

/** Each process and the schema of what it reads. */
const USERS: ReadonlyArray<readonly [string, z.ZodObject]> = [
  ['core', coreEnvSchema],
  ['edge (Node)', nodeEnvSchema],
  ['edge (Workers)', workerEnvSchema],
]

/** One variable as documented: its default for each process that reads it, and its meaning. */
export interface EnvVarDoc {
  name: string
  users: string[]
  defaults: string[]
  meaning: string
}

/** What a field means when the variable is unset: its default, the meta fallback, `none` or `required`. */
function defaultOf(field: z.ZodType): string {
  // A fallback named in the schema wins: a default computed from the machine (one worker per CPU) is no constant.
  const fallback = field.meta()?.fallback
  if (typeof fallback === 'string') return fallback
  const parsed = field.safeParse(undefined)
  if (!parsed.success) return 'required'
  if (parsed.data !== undefined) return `\`${String(parsed.data)}\``
  return 'none'
}

/** Every variable core and edge read, in schema order (core first), merged across the processes that read it. */
export function describeEnv(): EnvVarDoc[] {
  const byName = new Map<string, EnvVarDoc>()
  for (const [user, schema] of USERS) {
    for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      const doc = byName.get(name) ?? { name, users: [], defaults: [], meaning: field.description ?? '' }
      doc.users.push(user)
      doc.defaults.push(defaultOf(field))
      byName.set(name, doc)
    }
  }
  return [...byName.values()]
}

/** Renders the table: one row per variable; differing defaults are named per process. */
export function renderEnvTable(): string {
  const rows = describeEnv().map((v) => {
    const groups = new Map<string, string[]>()
    v.defaults.forEach((d, i) => groups.set(d, [...(groups.get(d) ?? []), v.users[i]!]))
    const def = groups.size === 1 ? v.defaults[0] : [...groups].map(([d, users]) => `${d} (${users.join(', ')})`).join('; ')
    return `| \`${v.name}\` | ${cell(def)} | ${v.users.join(', ')} | ${cell(v.meaning)} |`
  })
  return ['| variable | default | read by | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

/** Returns `text` with its env block replaced by the current table. */
export function withEnvTable(text: string): string {
  return replaceBlock(text, 'env', 'scripts/env-docs.ts', renderEnvTable())
}

/** Reads one of the documented files. */
export function readDoc(file: (typeof ENV_DOC_FILES)[number]): string {
  return readFileSync(join(root, file), 'utf8')
}

if (process.argv.includes('--write')) for (const f of ENV_DOC_FILES) writeFileSync(join(root, f), withEnvTable(readDoc(f)))
