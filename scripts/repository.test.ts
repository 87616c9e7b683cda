// The repository stands alone: no file reaches outside it, no comment or document cites a file it lacks or an issue number, and every relative markdown link resolves.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, extname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
/** Folders that are not the repository's own text: installs, build output, local state. */
const SKIP_DIRS = new Set(['node_modules', '.git', 'data', 'dist', '.build', '.wrangler', '.tmp', 'coverage'])
/** Generated or binary files. */
const SKIP_FILES = new Set(['package-lock.json', '.git'])
const TEXT = new Set(['.ts', '.js', '.mjs', '.json', '.md', '.sh', '.toml', '.yml', '.yaml', '.xml', '.sql', '.html', '.css', ''])

/** Every text file of the repository, as paths relative to its root. */
function textFiles(dir = ROOT): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) out.push(...textFiles(p))
    } else if (e.isFile() && !SKIP_FILES.has(e.name) && TEXT.has(extname(e.name)) && !e.name.endsWith('.dat')) {
      out.push(relative(ROOT, p))
    }
  }
  return out
}

const FILES = textFiles()
const read = (f: string): string => readFileSync(join(ROOT, f), 'utf8')

/** Finds `pattern` in every file; returns `file:line: text` for each hit. */
function grep(pattern: RegExp, files: readonly string[] = FILES): string[] {
  const hits: string[] = []
  for (const f of files) {
    read(f)
      .split('\n')
      .forEach((line, i) => {
        if (pattern.test(line)) hits.push(`${f}:${i + 1}: ${line.trim().slice(0, 160)}`)
      })
  }
  return hits
}

/** Parent-relative paths in `text` that leave the repository from `file`'s folder, or that name a `shared` folder other than the repository's. */
export function escapingPaths(file: string, text: string): string[] {
  const out: string[] = []
  for (const m of text.matchAll(/(?<![\w./-])((?:\.\.\/)+)([\w@.-][\w@./-]*)?/g)) {
    const target = resolve(ROOT, dirname(file), m[1]! + (m[2] ?? ''))
    const inside = target === ROOT || target.startsWith(ROOT + sep)
    // `../shared/...` must be this repository's shared/ folder, not one beside whichever folder the path is joined to.
    const namesShared = (m[2] ?? '').split('/')[0] === 'shared'
    if (!inside || (namesShared && !target.startsWith(join(ROOT, 'shared')))) out.push(m[0])
  }
  return out
}

/** GitHub's anchor of a markdown heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-')
}

describe('the repository alone', () => {
  it('reads nothing outside itself: every ../ path stays inside, ../shared is its own shared/', () => {
    const hits = FILES.flatMap((f) => escapingPaths(f, read(f)).map((p) => `${f}: ${p}`))
    expect(hits).toEqual([])
  })

  it('flags a path to a shared folder beside the repository', () => {
    // Built from parts so that a plain grep of the repository for the path finds only real reads.
    const beside = ['..', 'shared'].join('/')
    expect(escapingPaths('core/sip/conformance/x.test.ts', `resolve(repoRoot, '${beside}/conformance/rfc4475')`)).toEqual([`${beside}/conformance/rfc4475`])
    expect(escapingPaths('README.md', `see ${beside}/DESIGN`)).toEqual([`${beside}/DESIGN`])
    expect(escapingPaths('edge/env.ts', "from '../shared/entities/enums.js'")).toEqual([])
  })

  it('names no absolute path of the machine it was written on', () => {
    expect(grep(/\/work\/(shared|main|wt)\b/)).toEqual([])
  })

  it('cites no design, API or style document that is not in it (docs/ has them)', () => {
    const names = ['DESIGN', 'API', 'STYLE'].map((n) => `${n}\\.md`).join('|')
    expect(grep(new RegExp(`\\b(${names})\\b`))).toEqual([])
  })

  it('cites no issue number in code, comments or documents (say the reason instead)', () => {
    expect(grep(/\bissues?\s*#?\d+/i)).toEqual([])
  })

  it('has no relative markdown link to a file or heading that does not exist', () => {
    const broken: string[] = []
    for (const f of FILES.filter((x) => x.endsWith('.md'))) {
      for (const m of read(f).matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1]!
        if (/^[a-z][a-z+.-]*:/i.test(link)) continue
        const [path, anchor] = link.split('#') as [string, string | undefined]
        const target = path === '' ? join(ROOT, f) : resolve(ROOT, dirname(f), path)
        if (!existsSync(target)) {
          broken.push(`${f}: ${link}`)
          continue
        }
        if (anchor !== undefined && statSync(target).isFile() && target.endsWith('.md')) {
          const headings = read(relative(ROOT, target))
            .split('\n')
            .filter((l) => /^#{1,6} /.test(l))
            .map((l) => slug(l.replace(/^#+ /, '')))
          if (!headings.includes(anchor)) broken.push(`${f}: ${link} (no such heading)`)
        }
      }
    }
    expect(broken).toEqual([])
  })
})
