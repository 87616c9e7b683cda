// Diagnosis of one-way audio: answered relayed calls where the relay counted RTP from one side and none from the other, per gateway of the silent side.
import type { DiagnosisFacts, RuleFinding } from './finding.js'

/** Calls this short are not judged for audio (a false answer or a hang-up at once has no media to speak of). */
export const ONE_WAY_MIN_SEC = 3
/** One-way calls a gateway needs (one can be a phone on mute; five in a window are a pattern). */
export const ONE_WAY_MIN_CALLS = 5
/** ...and their share of that gateway's relayed answered calls (a big vendor's stray few are not its network). */
export const ONE_WAY_MIN_SHARE = 0.2

const ratio = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 1000) / 1000)

/** One finding per routing gateway whose callee side is silent, and per mapping gateway whose caller side is. */
export function findOneWayAudio(f: Pick<DiagnosisFacts, 'mediaByGateway'>): RuleFinding[] {
  const routing = new Map<string, { relayed: number; silent: number }>()
  const mapping = new Map<string, { relayed: number; silent: number }>()
  for (const r of f.mediaByGateway) {
    if (r.routingGatewayId !== null) {
      const g = routing.get(r.routingGatewayId) ?? { relayed: 0, silent: 0 }
      g.relayed += r.relayed
      g.silent += r.calleeSilent
      routing.set(r.routingGatewayId, g)
    }
    if (r.mappingGatewayId !== null) {
      const g = mapping.get(r.mappingGatewayId) ?? { relayed: 0, silent: 0 }
      g.relayed += r.relayed
      g.silent += r.callerSilent
      mapping.set(r.mappingGatewayId, g)
    }
  }
  const found: RuleFinding[] = []
  const judge = (side: 'routing' | 'mapping', id: string, g: { relayed: number; silent: number }): void => {
    if (g.silent < ONE_WAY_MIN_CALLS || g.silent < ONE_WAY_MIN_SHARE * g.relayed) return
    const vendor = side === 'routing'
    found.push({
      kind: 'OneWayAudio',
      severity: g.silent >= 0.5 * g.relayed ? 'critical' : 'warning',
      scope: vendor ? { routingGatewayId: id } : { mappingGatewayId: id },
      evidence: { oneWayCalls: g.silent, relayedAnsweredCalls: g.relayed, share: ratio(g.silent, g.relayed), silentSide: vendor ? 'callee' : 'caller', minDurationSec: ONE_WAY_MIN_SEC },
      cause:
        `${g.silent} of ${g.relayed} answered calls through ${vendor ? 'routing' : 'mapping'} gateway ${id} carried no RTP at all from the ` +
        `${vendor ? 'vendor (callee)' : 'customer (caller)'} side while the other side sent: one-way audio. The ${vendor ? 'vendor' : 'customer'}'s ` +
        'media does not reach our relay: a NAT or firewall in front of it, a private address in its SDP, or a codec it cannot send.',
      advice: vendor
        ? 'Check the example CDRs\' SDP: the vendor\'s c= address must be reachable from us (ask the vendor to open its RTP range to our ' +
          'address); if it sits behind NAT, keep media relayed so its RTP is latched (SS_NAT_MEDIA_SDP_IP_FIRST off) and check the codecs offered.'
        : 'The customer\'s device or NAT does not send RTP to our relay: have it enable symmetric RTP (or a STUN/ALG-free NAT), check its ' +
          'firewall lets our RTP ports through (RTP_PORT_MIN..RTP_PORT_MAX) and keep SS_NAT_MEDIA_SDP_IP_FIRST off so we latch its real address.',
    })
  }
  for (const [id, g] of routing) judge('routing', id, g)
  for (const [id, g] of mapping) judge('mapping', id, g)
  return found
}
