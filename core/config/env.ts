// The core's environment variables as one zod schema: defaults, bounds and the meaning the README's table is generated from.
import { z } from 'zod'

/** Empty strings count as unset, so `FOO= npm start` means the default. */
const unset = (v: unknown): unknown => (v === '' ? undefined : v)
const port = (def: number, min = 1) => z.preprocess(unset, z.coerce.number().int().min(min).max(65535).default(def))
const int = (def: number, min: number, max: number) => z.preprocess(unset, z.coerce.number().int().min(min).max(max).default(def))
const text = (def: string) => z.preprocess(unset, z.string().min(1).default(def))
const optionalText = z.preprocess(unset, z.string().min(1).optional())

/**
 * How long SIGTERM lets calls finish before ending the rest as SystemShutdown: 110 s, inside fly.toml's
 * `kill_timeout = "120s"` with 10 s left to BYE the remaining calls, flush CDRs and exit (docs/operations.md).
 */
export const DEFAULT_DRAIN_TIMEOUT_MS = 110_000

/** Every variable the core reads; `.describe()` is the meaning, `meta({ fallback })` names the default of an optional one. */
export const coreEnvSchema = z
  .object({
    SIP_HOST: text('127.0.0.1').describe('address the core binds for SIP over UDP and for RTP (IPv4 or IPv6; `fly-global-services` on Fly)'),
    SIP_PORT: port(5060).describe('SIP UDP port'),
    SIP_ADVERTISED_HOST: optionalText
      .describe('address written into Via, Contact, Record-Route and SDP (NAT, Fly dedicated IPv4)')
      .meta({ fallback: '`SIP_HOST`' }),
    STATUS_HOST: text('127.0.0.1').describe('address of the core status port (`/health`, `/metrics`, `/v1/calls`); loopback unless you expose it on a private network'),
    STATUS_PORT: port(9090, 0).describe('core status port; 0 picks a free one'),
    DATABASE_URL: text('file:./data/softswitch.db')
      .refine((u) => /^(file:|https?:\/\/|libsql:\/\/|wss?:\/\/)/.test(u), 'must start with file:, http(s)://, libsql:// or ws(s)://')
      .describe('libSQL URL: `file:` (embedded; the replica file when `DATABASE_SYNC_URL` is set), `http(s)://`, `libsql://`'),
    DATABASE_AUTH_TOKEN: optionalText.describe('token of a remote libSQL server (Turso)'),
    DATABASE_SYNC_URL: optionalText.describe('primary the core keeps an embedded replica of (Turso); migrations are then `npm run db:migrate`'),
    CONFIG_RELOAD_MS: int(1000, 50, 3_600_000).describe('how often the core checks the config version and reloads the snapshot when it changed'),
    DATA_DIR: text('./data').describe('local state: the CDR and open-calls journals, prompt overrides (`prompts/warning.wav`)'),
    RTP_PORT_MIN: port(20000, 1024).describe('lowest port of the media relay range'),
    RTP_PORT_MAX: port(29999, 1024).describe('highest port of the media relay range'),
    LOG_LEVEL: z.preprocess(unset, z.enum(['debug', 'info', 'warn', 'error']).default('info')).describe('lowest level logged (JSON lines on stdout)'),
    NODE_ID: optionalText.describe('name of this core in CDRs, `gateway_status` and network tests').meta({ fallback: 'the host name' }),
    DRAIN_TIMEOUT_MS: int(DEFAULT_DRAIN_TIMEOUT_MS, 0, 3_600_000).describe('on SIGTERM, how long calls may go on before they are ended as SystemShutdown (keep under the platform kill timeout)'),
    STATUS_PUBLISH_MS: int(5000, 100, 3_600_000).describe('how often the core upserts `gateway_status` (online, RTT, loss, current calls, calls/s) and its calls in progress (`live_calls`)'),
    NETWORK_TEST_POLL_MS: int(500, 50, 60_000).describe('how often the core polls `network_tests` for tests the edge asked for'),
    HANGUP_POLL_MS: int(500, 50, 60_000).describe('how often the core polls `call_hangups` for calls an operator hung up'),
  })
  .refine((e) => e.RTP_PORT_MIN <= e.RTP_PORT_MAX, { path: ['RTP_PORT_MAX'], message: 'must be at least RTP_PORT_MIN' })

/** The validated environment. */
export type CoreEnv = z.infer<typeof coreEnvSchema>
