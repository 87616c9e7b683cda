// Generates the README's system-parameter table from the shared catalogue (`npx tsx scripts/param-docs.ts --write`).
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describeParams } from '../shared/params/system-params.js'
import { cell, replaceBlock } from './generated-block.js'

const readmePath = join(resolve(fileURLToPath(new URL('.', import.meta.url)), '..'), 'README.md')

/** Renders every catalogue parameter as one markdown table row. */
export function renderParamTable(): string {
  const rows = describeParams().map(
    (p) =>
      `| \`${p.name}\` | ${cell(p.type)} | ${cell(p.unit)} | ${cell(JSON.stringify(p.default))} | ` +
      `${cell(p.min)} | ${cell(p.max)} | ${cell(p.description)} |`,
  )
  return ['| name | type | unit | default | min | max | meaning |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n')
}

/** Returns the README text with the generated block replaced by the current table. */
export function withParamTable(readme: string): string {
  return replaceBlock(readme, 'params', 'scripts/param-docs.ts', renderParamTable())
}

/** Reads the README from disk. */
export function readReadme(): string {
  return readFileSync(readmePath, 'utf8')
}

if (process.argv.includes('--write')) writeFileSync(readmePath, withParamTable(readReadme()))
