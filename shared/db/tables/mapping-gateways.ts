// Drizzle table of mapping (customer, ingress) gateways with their ingress dial plans; passwords are kept only as digest HA1 hashes.
import { sqliteTable, text, integer, index, real, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { bool, createdAtMs, idColumn, jsonText, updatedAtMs } from '../columns.js'
import { accounts } from './accounts.js'
import { AUTH_MODES, LOCK_TYPES } from '../../entities/enums.js'
import type { DialRule } from '../../entities/number-rules.js'

/** `mapping_gateways`: who may send calls in, and how they are authenticated. */
export const mappingGateways = sqliteTable(
  'mapping_gateways',
  {
    id: idColumn(),
    name: text('name').notNull(),
    accountId: text('account_id').notNull().references(() => accounts.id, { onDelete: 'restrict' }),
    authMode: text('auth_mode', { enum: AUTH_MODES }).notNull(),
    ips: jsonText<string[]>('ips').notNull(),
    port: integer('port'),
    username: text('username'),
    digestRealm: text('digest_realm'),
    ha1Md5: text('ha1_md5'),
    ha1Sha256: text('ha1_sha256'),
    lineLimit: integer('line_limit').notNull(),
    cpsLimit: real('cps_limit').notNull().default(0),
    cpsBurst: integer('cps_burst').notNull().default(0),
    lockType: text('lock_type', { enum: LOCK_TYPES }).notNull(),
    mediaProxy: bool('media_proxy').notNull(),
    calleeRules: jsonText<DialRule[]>('callee_rules').notNull().default([]),
    callerRules: jsonText<DialRule[]>('caller_rules').notNull().default([]),
    allowLossRoutes: bool('allow_loss_routes').notNull().default(false),
    dynamic: bool('dynamic').notNull().default(false),
    createdAtMs: createdAtMs(),
    updatedAtMs: updatedAtMs(),
  },
  (t) => [
    uniqueIndex('mapping_gateways_name_idx').on(t.name),
    index('mapping_gateways_account_id_idx').on(t.accountId),
    uniqueIndex('mapping_gateways_username_idx').on(t.username), // the core finds a digest gateway by username
  ],
)
