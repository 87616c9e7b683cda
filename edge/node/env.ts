// Environment of the local Node edge (docs/api.md "Processes and environment"), validated with zod; the README's table is generated from it.
import { z } from 'zod'

/** Node edge settings with their documented defaults; `.describe()` is the meaning shown in the README. */
export const nodeEnvSchema = z.object({
  API_HOST: z.string().min(1).default('127.0.0.1').describe('address the operator API binds; `0.0.0.0` or `::` to serve other machines'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(8787).describe('operator API port (`/docs`, `/openapi.json`, `/v1/...`); 0 picks a free one'),
  METRICS_HOST: z.string().min(1).default('127.0.0.1').describe('address of the Node edge\'s Prometheus endpoint (`/metrics`); loopback unless a scraper elsewhere needs it'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9091).describe('port of the Node edge\'s `/metrics`; 0 picks a free one'),
  DATABASE_URL: z.string().min(1).default('file:./data/softswitch.db').describe('libSQL URL: `file:` (embedded), `http(s)://` or `libsql://`'),
  DATABASE_AUTH_TOKEN: z.string().min(1).optional().describe('token of a remote libSQL server (Turso)'),
  ADMIN_API_KEY: z
    .string()
    .min(1)
    .optional()
    .describe('secret of an admin key that must exist (prefer a generated one; node.ts warns below 16 characters)')
    .meta({ fallback: 'generated and printed at the first start' }),
  DATA_DIR: z.string().min(1).default('./data').describe('local state of the Node edge (the database file lives here by default)'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info').describe('lowest level logged (JSON lines on stdout)'),
  ALERT_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000).describe('how often the Node edge runs the alert job (Workers use the cron trigger)'),
})
/** Validated Node edge settings. */
export type NodeEnv = z.infer<typeof nodeEnvSchema>

/** Parses `process.env`, treating empty strings as unset. */
export function parseNodeEnv(env: NodeJS.ProcessEnv): NodeEnv {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  return nodeEnvSchema.parse(present)
}
