// What a process tree spends, read from /proc: CPU seconds, resident and proportional memory, and the host's UDP receive drops.
import { readdirSync, readFileSync } from 'node:fs'

/** CPU seconds (user + system) of one process so far; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}

/** CPU seconds of one process's threads by what they run (`MainThread`, `V8Worker`: V8's GC and compiler helpers, `libuv-worker`: the fs and DNS pool), user and system apart; empty once it is gone. */
export function threadCpuSeconds(pid: number): Map<string, { user: number; sys: number }> {
  const out = new Map<string, { user: number; sys: number }>()
  let tids: string[]
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return out
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ')
      const e = out.get(comm) ?? { user: 0, sys: 0 }
      e.user += Number(fields[11]) / 100
      e.sys += Number(fields[12]) / 100
      out.set(comm, e)
    } catch {
      // the thread ended while we looked
    }
  }
  return out
}

/** Resident set size of one process in MiB, from /proc/<pid>/status (0 once it is gone). */
export function processRssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : 0
  } catch {
    return 0
  }
}

/** Proportional set size of one process in MiB (pages shared with others counted by share), 0 once it is gone. */
export function processPssMiB(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))
    return m ? Number(m[1]) / 1024 : 0
  } catch {
    return 0
  }
}

/** What a process runs, for a report: the base name of its script without extension (`main`, `worker`) or of its program (`esbuild`). */
export function processLabel(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '')
    const script = args.slice(1).find((a, i, all) => !a.startsWith('-') && !/^(--import|--require|-r)$/.test(all[i - 1] ?? '') && /\.[cm]?[jt]s$/.test(a))
    return (script ?? args[0] ?? String(pid)).split('/').pop()!.replace(/\.[cm]?[jt]s$/, '')
  } catch {
    return String(pid)
  }
}

/** The roots and every descendant living now. */
export function processTree(...roots: number[]): number[] {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const ppid = Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.split(' ')[1])
      const list = children.get(ppid)
      if (list === undefined) children.set(ppid, [Number(name)])
      else list.push(Number(name))
    } catch {
      // the process exited while we looked
    }
  }
  const out: number[] = []
  for (const queue = [...roots]; queue.length > 0; ) {
    const pid = queue.pop()!
    out.push(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  return out
}

/** CPU seconds of the roots and all their descendants living now. */
export function treeCpuSeconds(...roots: number[]): number {
  let total = 0
  for (const pid of processTree(...roots)) total += processCpuSeconds(pid)
  return total
}

/** Resident set size of a process and its descendants added up, MiB (shared pages counted in each). */
export function treeRssMiB(root: number): number {
  let total = 0
  for (const pid of processTree(root)) total += processRssMiB(pid)
  return total
}

/** The host's UDP receive-buffer errors so far (/proc/net/snmp `Udp: RcvbufErrors`). */
export function udpReceiveErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'))
  const head = lines[0]?.split(/\s+/) ?? []
  const values = lines[1]?.split(/\s+/) ?? []
  const i = head.indexOf('RcvbufErrors')
  return i < 0 ? 0 : Number(values[i] ?? 0)
}
