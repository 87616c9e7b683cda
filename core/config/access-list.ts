// The IP access lists of one snapshot: whitelist blocks and blacklist entries, looked up by a request's source IP on the hot path.
import { BlockList } from 'node:net'
import type { AccessListRow } from '../../shared/entities/access-list.js'
import { parseCidr } from '../../shared/net/address.js'

/** A blacklist entry as the core reads it (operators' entries and automatic bans alike). */
export type BlacklistRow = Pick<AccessListRow, 'id' | 'cidr' | 'reason' | 'origin' | 'offences' | 'expiresAtMs'>

/** The source IP as lists and bans name it: an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) becomes IPv4. */
export function sourceIp(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.', 7) ? address.slice(7) : address
}

function familyOf(ip: string): 'ipv4' | 'ipv6' {
  return ip.includes(':') ? 'ipv6' : 'ipv4'
}

/**
 * Both lists of one configuration version. A single address is a map lookup; wider blocks go through node:net's
 * BlockList (native), so a lookup costs the same with one entry or thousands. Expiry is checked at lookup time.
 */
export class AccessList {
  /** Blacklist rows by canonical CIDR, expired ones included (they carry the repeat count). */
  readonly blacklistByCidr: ReadonlyMap<string, BlacklistRow>
  private readonly whitelist = new BlockList()
  private readonly whitelistSize: number
  private readonly blackSingles = new Map<string, BlacklistRow>()
  private readonly blackBlocks: { row: BlacklistRow; list: BlockList }[] = []
  private readonly anyBlackBlock = new BlockList()

  constructor(rows: readonly AccessListRow[]) {
    const byCidr = new Map<string, BlacklistRow>()
    let white = 0
    for (const row of rows) {
      const cidr = parseCidr(row.cidr)
      if (cidr === null) continue
      if (row.list === 'whitelist') {
        this.whitelist.addSubnet(cidr.address, cidr.prefix, cidr.family)
        white++
        continue
      }
      byCidr.set(cidr.text, row)
      const full = cidr.family === 'ipv4' ? 32 : 128
      if (cidr.prefix === full) {
        this.blackSingles.set(cidr.address, row)
      } else {
        const list = new BlockList()
        list.addSubnet(cidr.address, cidr.prefix, cidr.family)
        this.anyBlackBlock.addSubnet(cidr.address, cidr.prefix, cidr.family)
        this.blackBlocks.push({ row, list })
      }
    }
    this.blacklistByCidr = byCidr
    this.whitelistSize = white
  }

  /** True when the (canonical, see sourceIp) address is on the whitelist. */
  whitelisted(ip: string): boolean {
    return this.whitelistSize > 0 && this.whitelist.check(ip, familyOf(ip))
  }

  /** The active blacklist entry covering the address (the single address first), if any. */
  blacklisted(ip: string, nowMs: number): BlacklistRow | undefined {
    const single = this.blackSingles.get(ip)
    if (single !== undefined && (single.expiresAtMs === null || single.expiresAtMs > nowMs)) return single
    if (this.blackBlocks.length === 0) return undefined
    const family = familyOf(ip)
    if (!this.anyBlackBlock.check(ip, family)) return undefined
    for (const b of this.blackBlocks) {
      if ((b.row.expiresAtMs === null || b.row.expiresAtMs > nowMs) && b.list.check(ip, family)) return b.row
    }
    return undefined
  }

  /** Active blacklist entries at `nowMs` (for the gauge and diagnosis). */
  activeBlacklist(nowMs: number): number {
    let n = 0
    for (const row of this.blacklistByCidr.values()) if (row.expiresAtMs === null || row.expiresAtMs > nowMs) n++
    return n
  }
}

/** The lists of a configuration without any entry. */
export const EMPTY_ACCESS_LIST = new AccessList([])
