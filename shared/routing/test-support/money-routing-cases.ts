// Shared routing cases for least-cost order, the margin guard, quality demotion and scoring, dial plans and caller ID; the core's tests and the edge's routing analysis run each of them.
import type { DialRule } from '../../entities/number-rules.js'
import {
  caseFacts, caseSnapshot, clearingAccountFixture, routingGatewayFixture as gw, routingParams, type CaseRate, type RoutingCase,
} from './routing-cases.js'
import type { RoutingGatewayConfig, RoutingParams } from '../routing-table.js'

const CALLEE = '3315551234'
/** Each vendor V has clearing account acc_V pricing it with rate table rt_V. */
const vendor = (id: string, over: Partial<RoutingGatewayConfig> = {}): RoutingGatewayConfig => gw(id, { clearingAccountId: `acc_${id}`, ...over })
const clearings = (...ids: string[]) => ids.map((id) => clearingAccountFixture(`acc_${id}`, 1000, 'normal', `rt_${id}`))
const price = (id: string, prefix: string, pricePerMinute: number): CaseRate => ({ rateTableId: `rt_${id}`, prefix, pricePerMinute })
const CUSTOMER = (pricePerMinute: number, prefix = '33'): CaseRate => ({ rateTableId: 'rt_customer', prefix, pricePerMinute })

/** Three vendors for 33: A at 0.03, B at 0.01 (its 3315 rate beats its 0.5 default), C at 0.02. */
const THREE: Pick<RoutingCase, 'rates'> & { gateways: RoutingGatewayConfig[]; clearing: ReturnType<typeof clearings> } = {
  gateways: [vendor('A'), vendor('B'), vendor('C')],
  clearing: clearings('A', 'B', 'C'),
  rates: [price('A', '33', 0.03), price('B', '', 0.5), price('B', '3315', 0.01), price('C', '33', 0.02)],
}
const lcr = (over: Partial<RoutingParams> = {}) => routingParams({ SS_GATEWAY_FEE_RATE_ROUTE_SORT_CONFIG: true, ...over })
const snapWith = (gateways: RoutingGatewayConfig[], ids: string[], params: RoutingParams) =>
  caseSnapshot(gateways, { clearingAccounts: clearings(...ids), params })

/** Demotion after 4 attempts under 50% ASR or over 5 s PDD. */
const QUALITY = { SS_ROUTE_QUALITY_MIN_CALLS: 4, SS_ROUTE_ASR_MIN_PERCENT: 50, SS_ROUTE_PDD_MAX_MS: 5000, SS_ROUTE_QUALITY_WINDOW_CALLS: 10 }
const demote = (over: Partial<RoutingParams> = {}) => lcr({ SS_GATEWAY_ASR_ROUTE_SORT_CONFIG: 'demote', ...QUALITY, ...over })

const TO_E164_DE: DialRule = { op: 'toE164', countryCode: '49', trunkPrefix: '0', internationalPrefix: '00', plus: false }

/** The cases; names state the rule and the outcome. */
export const MONEY_ROUTING_CASES: readonly RoutingCase[] = [
  {
    name: 'least-cost routing tries equal-priority vendors cheapest first, each priced at the longest prefix of its rate table',
    snapshot: caseSnapshot(THREE.gateways, { clearingAccounts: THREE.clearing, params: lcr() }),
    rates: THREE.rates,
    facts: caseFacts(CALLEE),
    expect: { candidates: ['B', 'C', 'A'] },
    first: { vendorPrice: 0.01, vendorPricePrefix: '3315' },
  },
  {
    name: 'without least-cost routing the same vendors keep snapshot order (prices only explained)',
    snapshot: caseSnapshot(THREE.gateways, { clearingAccounts: THREE.clearing }),
    rates: THREE.rates,
    facts: caseFacts(CALLEE),
    options: { explain: true },
    expect: { candidates: ['A', 'B', 'C'] },
    first: { vendorPrice: 0.03, margin: null },
  },
  {
    name: 'least-cost routing within priority keeps a dearer priority 0 vendor before a cheaper priority 1 vendor',
    snapshot: snapWith([vendor('A'), vendor('B', { priority: 1 })], ['A', 'B'], lcr()),
    rates: [price('A', '33', 0.03), price('B', '33', 0.01)],
    facts: caseFacts(CALLEE),
    expect: { candidates: ['A', 'B'] },
  },
  {
    name: 'least-cost routing across all levels puts the cheaper vendor first whatever its priority and prefix length',
    snapshot: snapWith([vendor('A', { prefixes: ['3315'] }), vendor('B', { priority: 1, prefixes: ['33'] })], ['A', 'B'], lcr({ SS_ROUTE_SORT_SCOPE: 'all' })),
    rates: [price('A', '33', 0.03), price('B', '33', 0.01)],
    facts: caseFacts(CALLEE),
    expect: { candidates: ['B', 'A'] },
  },
  {
    name: 'least-cost routing across all levels still tries protect routes after every normal route',
    snapshot: snapWith([vendor('P', { protectRoute: true }), vendor('A', { priority: 3 })], ['P', 'A'], lcr({ SS_ROUTE_SORT_SCOPE: 'all' })),
    rates: [price('P', '33', 0.001), price('A', '33', 0.05)],
    facts: caseFacts(CALLEE),
    expect: { candidates: ['A', 'P'] },
  },
  {
    name: 'least-cost routing tries unpriced gateways (no clearing account, or no rate for the number) after priced ones',
    snapshot: snapWith([gw('U'), vendor('N'), vendor('A')], ['N', 'A'], lcr()),
    rates: [price('N', '44', 0.001), price('A', '33', 0.04)],
    facts: caseFacts(CALLEE),
    expect: { candidates: ['A', 'U', 'N'] },
  },
  {
    name: 'least-cost routing skips unpriced gateways when SS_ROUTE_UNPRICED_GATEWAYS is skip',
    snapshot: snapWith([gw('U'), vendor('A')], ['A'], lcr({ SS_ROUTE_UNPRICED_GATEWAYS: 'skip' })),
    rates: [price('A', '33', 0.04)],
    facts: caseFacts(CALLEE),
    expect: { candidates: ['A'] },
    rejected: { U: 'unpriced' },
  },
  {
    name: 'a vendor is priced for the callee as sent: its dial plan strips 00 before its 33 rate applies',
    snapshot: snapWith([vendor('RAW'), vendor('STRIP', { calleeRules: [{ op: 'stripPrefix', prefix: '00' }] })], ['RAW', 'STRIP'], lcr()),
    rates: [price('RAW', '00', 0.05), price('STRIP', '33', 0.02), price('STRIP', '00', 0.01)],
    facts: caseFacts('0033155512'),
    expect: { candidates: ['STRIP', 'RAW'] },
    first: { calleeOut: '33155512', vendorPrice: 0.02, vendorPricePrefix: '33' },
  },
  {
    name: 'the margin guard skips a vendor priced above what the rated customer pays for the callee',
    snapshot: snapWith([vendor('A'), vendor('B')], ['A', 'B'], routingParams()),
    rates: [price('A', '33', 0.03), price('B', '33', 0.01), CUSTOMER(0.02)],
    customerRateTableId: 'rt_customer',
    facts: caseFacts(CALLEE),
    expect: { candidates: ['B'] },
    rejected: { A: 'priceAboveCustomer' },
    first: { vendorPrice: 0.01, margin: 0.01 },
  },
  {
    name: 'no vendor under the customer price ends the call with NoProfitableRoute',
    snapshot: snapWith([vendor('A'), vendor('B')], ['A', 'B'], lcr()),
    rates: [price('A', '33', 0.03), price('B', '33', 0.025), CUSTOMER(0.02)],
    customerRateTableId: 'rt_customer',
    facts: caseFacts(CALLEE),
    expect: { reject: 'NoProfitableRoute' },
    rejected: { A: 'priceAboveCustomer', B: 'priceAboveCustomer' },
  },
  {
    name: 'a vendor at exactly the customer price passes the margin guard',
    snapshot: snapWith([vendor('A')], ['A'], routingParams()),
    rates: [price('A', '33', 0.02), CUSTOMER(0.02)],
    customerRateTableId: 'rt_customer',
    facts: caseFacts(CALLEE),
    expect: { candidates: ['A'] },
    first: { margin: 0 },
  },
  {
    name: 'a mapping gateway that allows loss routes keeps vendors priced above the customer',
    snapshot: snapWith([vendor('A'), vendor('B')], ['A', 'B'], lcr()),
    rates: [price('A', '33', 0.03), price('B', '33', 0.01), CUSTOMER(0.02)],
    customerRateTableId: 'rt_customer',
    mapping: { allowLossRoutes: true },
    facts: caseFacts(CALLEE),
    expect: { candidates: ['B', 'A'] },
  },
  {
    name: 'a routing gateway that allows loss routes is kept though it costs more than the customer pays',
    snapshot: snapWith([vendor('A', { allowLossRoutes: true }), vendor('B')], ['A', 'B'], routingParams()),
    rates: [price('A', '33', 0.03), price('B', '33', 0.04), CUSTOMER(0.02)],
    customerRateTableId: 'rt_customer',
    facts: caseFacts(CALLEE),
    expect: { candidates: ['A'] },
    rejected: { B: 'priceAboveCustomer' },
    first: { margin: -0.01 },
  },
  {
    name: 'SS_ROUTE_MARGIN_GUARD off keeps every vendor',
    snapshot: snapWith([vendor('A')], ['A'], routingParams({ SS_ROUTE_MARGIN_GUARD: false })),
    rates: [price('A', '33', 0.03), CUSTOMER(0.02)],
    customerRateTableId: 'rt_customer',
    facts: caseFacts(CALLEE),
    expect: { candidates: ['A'] },
  },
  {
    name: 'an unpriced vendor passes the margin guard (nothing to compare)',
    snapshot: snapWith([gw('U')], [], routingParams()),
    rates: [CUSTOMER(0.02)],
    customerRateTableId: 'rt_customer',
    facts: caseFacts(CALLEE),
    expect: { candidates: ['U'] },
  },
  {
    name: 'a busy vendor outranks one skipped for price: AllGatewayBusy',
    snapshot: snapWith([vendor('A'), vendor('L', { lineLimit: 1 })], ['A', 'L'], routingParams()),
    rates: [price('A', '33', 0.03), price('L', '33', 0.01), CUSTOMER(0.02)],
    customerRateTableId: 'rt_customer',
    live: { gatewayCalls: { L: 1 } },
    facts: caseFacts(CALLEE),
    expect: { reject: 'AllGatewayBusy' },
    rejected: { A: 'priceAboveCustomer', L: 'lineLimit' },
  },
  {
    name: 'quality demotion: the cheapest vendor under the ASR minimum after the minimum calls goes after the healthy one',
    snapshot: snapWith([vendor('A'), vendor('B')], ['A', 'B'], demote()),
    rates: [price('A', '33', 0.01), price('B', '33', 0.02)],
    quality: [{ routingGatewayId: 'A', prefix: '', answered: 1, failed: 4 }, { routingGatewayId: 'B', prefix: '', answered: 3, failed: 2 }],
    facts: caseFacts(CALLEE),
    expect: { candidates: ['B', 'A'] },
    first: { qualityVerdict: 'healthy', demoted: false },
  },
  {
    name: 'quality demotion waits for the minimum calls: a vendor with 3 failed attempts keeps its place',
    snapshot: snapWith([vendor('A'), vendor('B')], ['A', 'B'], demote()),
    rates: [price('A', '33', 0.01), price('B', '33', 0.02)],
    quality: [{ routingGatewayId: 'A', prefix: '', answered: 0, failed: 3 }],
    facts: caseFacts(CALLEE),
    expect: { candidates: ['A', 'B'] },
    first: { qualityVerdict: 'unjudged' },
  },
  {
    name: 'quality demotion: a vendor over the PDD maximum goes after the others',
    snapshot: snapWith([vendor('A'), vendor('B')], ['A', 'B'], demote()),
    rates: [price('A', '33', 0.01), price('B', '33', 0.02)],
    quality: [{ routingGatewayId: 'A', prefix: '', answered: 5, failed: 0, pddMs: 9000 }, { routingGatewayId: 'B', prefix: '', answered: 5, failed: 0, pddMs: 2000 }],
    facts: caseFacts(CALLEE),
    expect: { candidates: ['B', 'A'] },
  },
  {
    name: 'quality is kept per route prefix: a vendor bad on 3315 is not demoted on its 44 route',
    snapshot: snapWith([vendor('A', { prefixes: ['3315', '44'] }), vendor('B', { prefixes: ['3315', '44'] })], ['A', 'B'], demote()),
    rates: [price('A', '', 0.01), price('B', '', 0.02)],
    quality: [{ routingGatewayId: 'A', prefix: '3315', answered: 0, failed: 6 }],
    facts: caseFacts('4420712345'),
    expect: { candidates: ['A', 'B'] },
  },
  {
    name: 'with price before ASR a demoted vendor stays first when it is cheaper',
    snapshot: snapWith([vendor('A'), vendor('B')], ['A', 'B'], demote({ SS_GATEWAY_FEE_RATE_ROUTE_BEFORE_ASR: true })),
    rates: [price('A', '33', 0.01), price('B', '33', 0.02)],
    quality: [{ routingGatewayId: 'A', prefix: '', answered: 0, failed: 5 }],
    facts: caseFacts(CALLEE),
    expect: { candidates: ['A', 'B'] },
    first: { demoted: true, qualityVerdict: 'lowAsr' },
  },
  {
    name: 'quality score orders by ASR in steps of 5% (an unjudged vendor scores highest), price breaking ties',
    snapshot: snapWith([vendor('LOW'), vendor('HIGH'), vendor('NEW'), vendor('HIGH2')], ['LOW', 'HIGH', 'NEW', 'HIGH2'], lcr({ SS_GATEWAY_ASR_ROUTE_SORT_CONFIG: 'score', ...QUALITY })),
    rates: [price('LOW', '', 0.01), price('HIGH', '', 0.03), price('NEW', '', 0.05), price('HIGH2', '', 0.02)],
    quality: [
      { routingGatewayId: 'LOW', prefix: '', answered: 3, failed: 7 },
      { routingGatewayId: 'HIGH', prefix: '', answered: 8, failed: 2 },
      { routingGatewayId: 'HIGH2', prefix: '', answered: 4, failed: 1 },
    ],
    facts: caseFacts(CALLEE),
    expect: { candidates: ['NEW', 'HIGH2', 'HIGH', 'LOW'] },
  },
  {
    name: 'egress dial plan: the vendor gets the national format with its tech prefix',
    snapshot: caseSnapshot([gw('T', {
      calleeRules: [{ op: 'toNational', countryCode: '49', trunkPrefix: '0', internationalPrefix: '00' }, { op: 'addPrefix', prefix: '1234#' }],
    })]),
    facts: caseFacts('4930123456'),
    expect: { candidates: ['T'] },
    first: { calleeOut: '1234#030123456' },
  },
  {
    name: 'egress dial plan: a vendor whose reject rule matches the number is skipped for it',
    snapshot: caseSnapshot([gw('NOPREMIUM', { calleeRules: [{ op: 'reject', pattern: '^49900', status: 403 }] }), gw('ANY', { priority: 1 })]),
    facts: caseFacts('4990012345'),
    expect: { candidates: ['ANY'] },
    rejected: { NOPREMIUM: 'dialPlanRejected' },
  },
  {
    name: 'egress dial plan: the legacy rewrite runs first, then the rules (a regex replace with a group, a prefix replace on the caller)',
    snapshot: caseSnapshot([gw('RW', {
      calleeRewrite: { strip: 2, add: '' },
      calleeRules: [{ op: 'replace', pattern: '^33(\\d+)$', replacement: '0$1' }],
      callerRules: [{ op: 'replacePrefix', from: '49', to: '0049' }],
    })]),
    facts: caseFacts('0033155'),
    expect: { candidates: ['RW'] },
    first: { calleeOut: '0155', callerOut: '004921198765' },
  },
  {
    name: 'ingress dial plan: 0 + national number becomes E.164 before routing, and routing matches the E.164 number',
    snapshot: caseSnapshot([gw('DE', { prefixes: ['49'] }), gw('NATIONAL', { prefixes: ['0'] })]),
    mapping: { calleeRules: [TO_E164_DE] },
    facts: caseFacts('030123456'),
    expect: { candidates: ['DE'] },
    first: { matchedPrefix: '49', calleeOut: '4930123456' },
  },
  {
    name: 'ingress dial plan: a reject pattern refuses the call with DialPlanRejected',
    snapshot: caseSnapshot([gw('ANY')]),
    mapping: { calleeRules: [TO_E164_DE, { op: 'reject', prefix: '49900', status: 403 }] },
    facts: caseFacts('0900123456'),
    expect: { reject: 'DialPlanRejected' },
  },
  {
    name: 'ingress dial plan: the customer is priced on the normalised callee',
    snapshot: caseSnapshot([vendor('A'), vendor('B')], { clearingAccounts: clearings('A', 'B') }),
    rates: [price('A', '49', 0.03), price('B', '49', 0.01), { rateTableId: 'rt_customer', prefix: '49', pricePerMinute: 0.02 }],
    customerRateTableId: 'rt_customer',
    mapping: { calleeRules: [TO_E164_DE] },
    facts: caseFacts('030123456'),
    expect: { candidates: ['B'] },
    rejected: { A: 'priceAboveCustomer' },
  },
  {
    name: 'caller ID: anonymous presentation, Privacy: id and P-Asserted-Identity with the number after the caller rules',
    snapshot: caseSnapshot([gw('PAI', {
      callerRules: [{ op: 'addPrefix', prefix: '+' }],
      callerId: { presentation: 'anonymous', privacy: 'id', assertedIdentity: true },
    })]),
    facts: caseFacts(CALLEE),
    expect: { candidates: ['PAI'] },
    first: { callerOut: '+4921198765', callerId: { anonymous: true, privacy: 'id', assertedIdentity: '+4921198765' } },
  },
  {
    name: 'caller ID: by default a caller asking for privacy (Privacy: user;id) is sent anonymous with its Privacy passed on',
    snapshot: caseSnapshot([gw('PASS')]),
    facts: caseFacts(CALLEE, { callerPrivacy: 'user; id' }),
    expect: { candidates: ['PASS'] },
    first: { callerId: { anonymous: true, privacy: 'user;id', assertedIdentity: null } },
  },
  {
    name: 'caller ID: the defaults send the calling number in From with no Privacy or P-Asserted-Identity',
    snapshot: caseSnapshot([gw('PLAIN')]),
    facts: caseFacts(CALLEE),
    expect: { candidates: ['PLAIN'] },
    first: { callerOut: '4921198765', callerId: { anonymous: false, privacy: null, assertedIdentity: null } },
  },
]
