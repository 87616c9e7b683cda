// Runs Prometheus's own linter on a /metrics text (`promtool check metrics`, Debian package prometheus, installed by scripts/install-test-deps.sh).
import { spawnSync } from 'node:child_process'

/** promtool's verdict: exit status 0 and no findings means the exposition is valid and follows the naming rules. */
export interface PromtoolResult {
  status: number | null
  findings: string
}

/** Feeds `text` to `promtool check metrics` on stdin and returns its exit status and findings. */
export function promtoolCheckMetrics(text: string): PromtoolResult {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 })
  if (r.error !== undefined) throw new Error(`promtool did not run (bash scripts/install-test-deps.sh installs it): ${r.error.message}`)
  return { status: r.status, findings: `${r.stdout}${r.stderr}`.trim() }
}

/** Runs `promtool check rules` on a rule file and returns its exit status and output. */
export function promtoolCheckRules(file: string): PromtoolResult {
  const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 })
  if (r.error !== undefined) throw new Error(`promtool did not run (bash scripts/install-test-deps.sh installs it): ${r.error.message}`)
  return { status: r.status, findings: `${r.stdout}${r.stderr}`.trim() }
}
