// Which diagnosis findings concern an alert rule's scope: those naming its gateway, account or an overlapping prefix, plus those naming none (our own network).
import type { AlertScope } from '../../shared/entities/fields.js'
import type { Finding } from '../analysis/finding.js'

/** Scope keys that name an object; a finding without any of them (OwnNetworkDown) concerns every scope. */
const NAMING_KEYS = ['routingGatewayId', 'mappingGatewayId', 'clearingAccountId', 'accountId', 'prefix', 'sourceIp', 'sourceIps'] as const

/** Findings that concern the scope: those naming its id or an overlapping prefix, plus the ones naming no gateway, account, prefix or source. */
export function findingsForScope(findings: readonly Finding[], scope: AlertScope): Finding[] {
  if (scope.kind === 'all') return [...findings]
  return findings.filter((f) => {
    const s = f.scope
    if (!NAMING_KEYS.some((k) => s[k] !== undefined)) return true
    if (scope.kind === 'prefix') return s.prefix !== undefined && (s.prefix.startsWith(scope.prefix) || scope.prefix.startsWith(s.prefix))
    const id = scope.id
    switch (scope.kind) {
      case 'routingGateway': return s.routingGatewayId === id
      case 'mappingGateway': return s.mappingGatewayId === id
      case 'account': return s.accountId === id || s.clearingAccountId === id
    }
  })
}
