// Which Contact of a vendor's 3xx a call may follow (SS_REDIRECT_MODE follow): a configured routing gateway by default, any SIP address only when the operator allows it.
import type { RedirectContact, RouteTarget } from '../call/ports.js'
import type { ConfigSnapshot } from '../config/snapshot.js'

/** A number a redirect may name in its Request-URI user part (the vendor picks the callee sent on). */
const CALLEE = /^\+?[0-9A-Za-z*#._-]{1,64}$/

/** An IPv4 or bracket-less IPv6 literal (no DNS on this path: a redirect to a name is never followed). */
const IP_LITERAL = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/

/**
 * The attempt for `contact` after `from` redirected, or null when SS_REDIRECT_FOLLOW_TARGETS does not allow it.
 * `gateways`: the Contact's host and port are those of an unlocked, static routing gateway; the call goes out as that
 * gateway (its transport, failover settings, media and vendor price). `any`: an IP address, as the redirecting gateway.
 */
export function redirectTarget(snapshot: ConfigSnapshot, contact: RedirectContact, from: RouteTarget): RouteTarget | null {
  if (contact.user !== null && !CALLEE.test(contact.user)) return null
  const calleeOut = contact.user ?? from.calleeOut
  const host = contact.host.toLowerCase()
  if (snapshot.params.SS_REDIRECT_FOLLOW_TARGETS === 'any') {
    if (!IP_LITERAL.test(host)) return null
    const transport = contact.transport ?? from.transport
    const { nextHop: _hop, ...rest } = from
    return { ...rest, host, port: contact.port ?? (transport === 'tls' ? 5061 : 5060), transport, calleeOut }
  }
  for (const rg of snapshot.routingGateways.values()) {
    if (rg.host.toLowerCase() !== host || rg.port !== (contact.port ?? (rg.transport === 'tls' ? 5061 : 5060))) continue
    if (rg.lockType === 'bar_all' || rg.dynamic) continue
    return {
      routingGatewayId: rg.id, priority: rg.priority, matchedPrefix: from.matchedPrefix, protectRoute: false, calleeOut, callerOut: from.callerOut,
      ...(from.callerId === undefined ? {} : { callerId: from.callerId }),
      host: rg.host, port: rg.port, transport: rg.transport,
      switchUntilConnect: rg.switchUntilConnect, stopSwitchingCodes: rg.stopSwitchingCodes, mediaProxy: rg.mediaProxy, groupId: rg.groupId,
    }
  }
  return null
}
