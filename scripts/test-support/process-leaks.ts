// Vitest globalSetup for every project: tags each process the test run starts and fails the run if any of them outlives it.
import { randomUUID } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'

/** The variable that marks a process as started by this test run (inherited by workers, their children and grandchildren). */
export const TEST_RUN_VARIABLE = 'SOFTSWITCH_TEST_RUN'

/** A live process of this machine: its id, parent, state letter and command line. */
export interface ProcessInfo {
  pid: number
  ppid: number
  state: string
  command: string
}

/** Reads one process from /proc, or undefined when it is gone or not ours to read. */
function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // `pid (comm) state ppid ...`; comm may hold spaces and parentheses, so split after the last `)`.
    const [state = '?', ppid = '0'] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
    return { pid, ppid: Number(ppid), state, command }
  } catch {
    return undefined
  }
}

/** Every process id in /proc. */
function pids(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)
}

/** Whether `pid`'s environment carries `VAR=value`. */
function carries(pid: number, variable: string, value: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${variable}=${value}`)
  } catch {
    return false
  }
}

/** Processes that are still running (zombies are dead: only their exit status waits to be collected). */
function alive(p: ProcessInfo | undefined): p is ProcessInfo {
  return p !== undefined && p.state !== 'Z' && p.state !== 'X'
}

/** Every live process below `root` in the parent tree. */
export function descendants(root: number, all: readonly ProcessInfo[] = pids().map(readProcess).filter(alive)): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>()
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p])
  const out: ProcessInfo[] = []
  const walk = (pid: number): void => {
    for (const c of children.get(pid) ?? []) {
      out.push(c)
      walk(c.pid)
    }
  }
  walk(root)
  return out
}

/** Ids of `pid` and every process above it (the shell and npm that started vitest carry the tag too). */
function selfAndAncestors(all: readonly ProcessInfo[]): Set<number> {
  const parent = new Map(all.map((p) => [p.pid, p.ppid]))
  const out = new Set<number>()
  for (let pid: number | undefined = process.pid; pid !== undefined && pid > 0 && !out.has(pid); pid = parent.get(pid)) out.add(pid)
  return out
}

/** The test runner's own helpers: vitest's pool workers and watchdog, workerd of the Workers pool, Vite's esbuild service. */
const RUNNER = /^vitest-watchdog|node_modules\/(vitest|@cloudflare|workerd|esbuild|@esbuild)\//

/**
 * Live processes this run started, other than the runner and its helpers: those carrying the run's tag (found even
 * when orphaned and re-parented to init) and, given the set found at the start, those below this process since.
 */
export function leftovers(tag: string, before?: ReadonlySet<number>): ProcessInfo[] {
  const all = pids().map(readProcess).filter(alive)
  const mine = selfAndAncestors(all)
  const own = (p: ProcessInfo): boolean => mine.has(p.pid) || (p.ppid === process.pid && RUNNER.test(p.command))
  const found = new Map<number, ProcessInfo>()
  for (const p of all) if (!own(p) && carries(p.pid, TEST_RUN_VARIABLE, tag)) found.set(p.pid, p)
  if (before !== undefined) for (const p of descendants(process.pid, all)) if (!own(p) && !before.has(p.pid)) found.set(p.pid, p)
  return [...found.values()]
}

/** Waits up to `graceMs` for stragglers, then kills what is left; returns a report, empty when nothing outlived the run. */
export async function reapLeftovers(tag: string, before: ReadonlySet<number> | undefined, graceMs = 5_000): Promise<string> {
  const deadline = Date.now() + graceMs
  let left = leftovers(tag, before)
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((ok) => setTimeout(ok, 100))
    left = leftovers(tag, before)
  }
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  const list = left.map((p) => `  pid ${p.pid} (parent ${p.ppid}): ${p.command.slice(0, 200)}`).join('\n')
  return left.length === 0 ? '' : `${left.length} process(es) started by the tests outlived them (now killed):\n${list}`
}

/** Tags the run (or joins the tag scripts/test.sh set); the returned teardown fails the run when a process outlives it. */
export default function setup(): () => Promise<void> {
  const tag = process.env[TEST_RUN_VARIABLE] || `${process.pid}-${randomUUID()}`
  process.env[TEST_RUN_VARIABLE] = tag
  const before = new Set(descendants(process.pid).map((p) => p.pid))
  return async () => {
    const report = await reapLeftovers(tag, before)
    if (report !== '') throw new Error(report)
  }
}

// `tsx scripts/test-support/process-leaks.ts --check`: the last step of scripts/test.sh, after every vitest run has exited.
if (process.argv.includes('--check')) {
  const tag = process.env[TEST_RUN_VARIABLE]
  if (tag === undefined || tag === '') throw new Error(`${TEST_RUN_VARIABLE} is not set`)
  const report = await reapLeftovers(tag, undefined)
  if (report !== '') {
    process.stderr.write(report + '\n')
    process.exit(1)
  }
}
