// Environment of the local Node edge (API.md "Processes and environment"), validated with zod.
import { z } from 'zod'

/** Node edge settings with their documented defaults. */
export const nodeEnvSchema = z.object({
  API_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  API_HOST: z.string().min(1).optional().describe('listen address; default: all interfaces'),
  DATABASE_URL: z.string().min(1).default('file:./data/softswitch.db'),
  DATABASE_AUTH_TOKEN: z.string().min(1).optional(),
  ADMIN_API_KEY: z.string().min(1).optional().describe('secret of an admin key that must exist (any length is accepted; node.ts warns below 16)'),
  DATA_DIR: z.string().min(1).default('./data'),
  ALERT_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
})
/** Validated Node edge settings. */
export type NodeEnv = z.infer<typeof nodeEnvSchema>

/** Parses `process.env`, treating empty strings as unset. */
export function parseNodeEnv(env: NodeJS.ProcessEnv): NodeEnv {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  return nodeEnvSchema.parse(present)
}
