// The core's environment variables as one zod schema: defaults, bounds and the meaning the README's table is generated from.
import { availableParallelism } from 'node:os'
import { z } from 'zod'

/** Empty strings count as unset, so `FOO= npm start` means the default. */
const unset = (v: unknown): unknown => (v === '' ? undefined : v)
const port = (def: number, min = 1) => z.preprocess(unset, z.coerce.number().int().min(min).max(65535).default(def))
const int = (def: number, min: number, max: number) => z.preprocess(unset, z.coerce.number().int().min(min).max(max).default(def))
const text = (def: string) => z.preprocess(unset, z.string().min(1).default(def))
const optionalText = z.preprocess(unset, z.string().min(1).optional())
const flag = (def: boolean) => z.preprocess(unset, z.enum(['true', 'false', '1', '0']).default(def ? 'true' : 'false').transform((v) => v === 'true' || v === '1'))

/**
 * How long SIGTERM lets calls finish before ending the rest as SystemShutdown: 110 s, inside fly.toml's
 * `kill_timeout = "120s"` with 10 s left to BYE the remaining calls, flush CDRs and exit (docs/operations.md).
 */
export const DEFAULT_DRAIN_TIMEOUT_MS = 110_000

/** Every variable the core reads; `.describe()` is the meaning, `meta({ fallback })` names the default of an optional one. */
export const coreEnvSchema = z
  .object({
    SIP_HOST: text('127.0.0.1').describe('address the core binds for SIP over UDP and for RTP (IPv4 or IPv6; `fly-global-services` on Fly)'),
    SIP_PORT: port(5060).describe('SIP port, UDP and TCP alike (RFC 3261 §18: every element speaks both)'),
    SIP_ADVERTISED_HOST: optionalText
      .describe('address written into Via, Contact, Record-Route and SDP (NAT, Fly dedicated IPv4)')
      .meta({ fallback: '`SIP_HOST`' }),
    SIP_TCP_HOST: optionalText
      .describe('address SIP over TCP and TLS listens on (on Fly UDP needs `fly-global-services`, streams `0.0.0.0`)')
      .meta({ fallback: '`SIP_HOST`' }),
    SIP_TLS_PORT: port(5061, 0).describe('SIP over TLS port, listening once `SIP_TLS_CERT_FILE` and `SIP_TLS_KEY_FILE` are set'),
    SIP_TLS_CERT_FILE: optionalText.describe('PEM certificate (chain) for SIP over TLS, re-read on SIGHUP; also our client certificate towards vendors'),
    SIP_TLS_KEY_FILE: optionalText.describe('PEM private key of `SIP_TLS_CERT_FILE`, re-read on SIGHUP'),
    SIP_TLS_CA_FILE: optionalText.describe('PEM CAs trusted when verifying vendors\' certificates').meta({ fallback: "Node's bundled roots" }),
    SIP_TLS_VERIFY_PEERS: flag(false).describe('verify the certificate of routing gateways reached over TLS (off: many trunks use self-signed ones)'),
    SIP_TCP_MAX_CONNECTIONS: int(2048, 1, 1_000_000).describe('TCP and TLS connections open at once, in and out (as Kamailio\'s tcp_max_connections)'),
    SIP_TCP_MAX_PER_SOURCE: int(64, 1, 1_000_000).describe('inbound TCP/TLS connections from one source IP'),
    SIP_TCP_IDLE_MS: int(120_000, 100, 86_400_000).describe('a TCP/TLS connection without a byte either way this long is closed (as Kamailio\'s tcp_connection_lifetime)'),
    SIP_TCP_MESSAGE_MS: int(10_000, 100, 600_000).describe('a SIP message (or TLS handshake) must complete this long after its first byte; slower senders are cut'),
    STATUS_HOST: text('127.0.0.1').describe('address of the core status port (`/health`, `/metrics`, `/v1/calls`); loopback unless you expose it on a private network'),
    STATUS_PORT: port(9090, 0).describe('core status port; 0 picks a free one'),
    STATUS_API_KEY: optionalText.describe('bearer key `/v1/calls` of the status port requires when `STATUS_HOST` is not loopback (without it the route answers 403 there)'),
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
    STATUS_PUBLISH_MS: int(5000, 100, 3_600_000).describe('how often the core upserts `gateway_status` (online, RTT, loss, current calls, calls/s), its calls in progress (`live_calls`) and its refused-authentication counts (`auth_refusals`)'),
    NETWORK_TEST_POLL_MS: int(500, 50, 60_000).describe('how often the core polls `network_tests` for tests the edge asked for'),
    CDR_DURABLE_ANSWER: z.preprocess(unset, z.enum(['true', 'false']).default('true')).transform((v) => v === 'true')
      .describe('hold 100 Trying and the 200 to the caller until the call\'s start and answer are on the journal\'s disk; `false` only to measure what that costs (`npm run bench -- calls`)'),
    HANGUP_POLL_MS: int(500, 50, 60_000).describe('how often the core polls `call_hangups` for calls an operator hung up'),
    REDIS_URL: z.preprocess(unset, z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional())
      .describe('Valkey/Redis several core nodes share (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS): line limits, calls per second, prepaid reservations, customer registrations and bans count across nodes (docs/operations.md#several-core-nodes)')
      .meta({ fallback: 'none: every limit counts in this process' }),
    REDIS_NODE_TTL_MS: int(5000, 1000, 600_000).describe('a node silent towards Redis this long no longer counts: the lines and reservations its calls held are free again (it heartbeats every fifth of it)'),
    CORE_WORKERS: z.preprocess((v) => (v === undefined || v === '' || v === 'auto' ? Math.min(32, availableParallelism()) : v), z.coerce.number().int().min(1).max(32))
      .describe('SIP worker processes sharing the SIP ports, each an event loop of its own, under one primary process (docs/capacity.md); 1 runs the whole node in one process; `auto` is one per CPU')
      .meta({ fallback: 'auto: one per CPU (at most 32); one CPU runs the whole node in one process' }),
    CORE_WORKER_HANG_MS: int(20_000, 0, 600_000).describe('a SIP worker whose event loop answers none of the primary\'s pings (four per period) for this long is killed and started again, its calls closed as SystemShutdown CDRs from its journal; 0 turns the watchdog off'),
  })
  .refine((e) => e.RTP_PORT_MIN <= e.RTP_PORT_MAX, { path: ['RTP_PORT_MAX'], message: 'must be at least RTP_PORT_MIN' })
  .refine((e) => (e.SIP_TLS_CERT_FILE === undefined) === (e.SIP_TLS_KEY_FILE === undefined), { path: ['SIP_TLS_KEY_FILE'], message: 'SIP_TLS_CERT_FILE and SIP_TLS_KEY_FILE go together' })

/** The validated environment. */
export type CoreEnv = z.infer<typeof coreEnvSchema>
