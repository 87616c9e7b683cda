// Drizzle table of routing (vendor, egress) gateways with their prefixes, limits, failover, dial plans and caller-ID rules.
import { sqliteTable, text, integer, index, real, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { bool, createdAtMs, idColumn, jsonText, updatedAtMs } from '../columns.js'
import { accounts } from './accounts.js'
import { gatewayGroups } from './gateway-groups.js'
import type { MappingGatewayRule, Rewrite } from '../../entities/fields.js'
import type { CallerIdRule, DialRule } from '../../entities/number-rules.js'
import { LOCK_TYPES, PREFIX_MODES, SIP_TRANSPORTS } from '../../entities/enums.js'

/** `routing_gateways`: where calls go out, chosen by prefix and priority. */
export const routingGateways = sqliteTable(
  'routing_gateways',
  {
    id: idColumn(),
    name: text('name').notNull(),
    host: text('host').notNull(),
    port: integer('port').notNull(),
    transport: text('transport', { enum: SIP_TRANSPORTS }).notNull(),
    prefixes: jsonText<string[]>('prefixes').notNull(),
    prefixMode: text('prefix_mode', { enum: PREFIX_MODES }).notNull(),
    priority: integer('priority').notNull(),
    lineLimit: integer('line_limit').notNull(),
    cpsLimit: real('cps_limit').notNull().default(0),
    cpsBurst: integer('cps_burst').notNull().default(0),
    lockType: text('lock_type', { enum: LOCK_TYPES }).notNull(),
    switchUntilConnect: bool('switch_until_connect').notNull(),
    stopSwitchingCodes: jsonText<number[]>('stop_switching_codes').notNull(),
    protectRoute: bool('protect_route').notNull(),
    optionsCheck: bool('options_check').notNull(),
    mappingGatewayRule: jsonText<MappingGatewayRule>('mapping_gateway_rule'),
    groupId: text('group_id').references(() => gatewayGroups.id, { onDelete: 'set null' }),
    clearingAccountId: text('clearing_account_id').references(() => accounts.id, { onDelete: 'restrict' }),
    calleeRewrite: jsonText<Rewrite>('callee_rewrite').notNull(),
    callerRewrite: jsonText<Rewrite>('caller_rewrite').notNull(),
    calleeRules: jsonText<DialRule[]>('callee_rules').notNull().default([]),
    callerRules: jsonText<DialRule[]>('caller_rules').notNull().default([]),
    callerId: jsonText<CallerIdRule>('caller_id').notNull().default({ presentation: 'pass', privacy: 'pass', assertedIdentity: false }),
    allowLossRoutes: bool('allow_loss_routes').notNull().default(false),
    mediaProxy: bool('media_proxy').notNull(),
    dynamic: bool('dynamic').notNull().default(false),
    username: text('username'),
    digestRealm: text('digest_realm'),
    ha1Md5: text('ha1_md5'),
    ha1Sha256: text('ha1_sha256'),
    createdAtMs: createdAtMs(),
    updatedAtMs: updatedAtMs(),
  },
  (t) => [
    uniqueIndex('routing_gateways_name_idx').on(t.name),
    index('routing_gateways_group_id_idx').on(t.groupId),
    index('routing_gateways_clearing_account_id_idx').on(t.clearingAccountId),
    uniqueIndex('routing_gateways_username_idx').on(t.username), // the registrar finds a dynamic gateway by username
  ],
)
