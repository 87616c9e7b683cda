// Per-gateway values kept by id and mirrored in an array by a routing table's gateway index, so routing reads them with one array load instead of a string-keyed lookup per gateway.

/** What indexing needs of a routing table: its gateway ids by index, and the reverse. */
export interface GatewayIds {
  readonly gateways: readonly { readonly config: { readonly id: string } }[]
  readonly indexOf: ReadonlyMap<string, number>
}

/**
 * Values by id (the source of truth, outliving config snapshots) and their mirror by index for the last table asked:
 * `at(table)` rebuilds the mirror when the table changes (O(gateways), once per snapshot), `set` keeps both in step
 * (one lookup of the id's index per change, instead of one per gateway per routing decision).
 */
export class GatewayIndexed<T> {
  private readonly byId = new Map<string, T>()
  private table: GatewayIds | null = null
  private mirror: (T | undefined)[] = []

  /** The value of `id`, or undefined. */
  get(id: string): T | undefined {
    return this.byId.get(id)
  }

  /** Sets (or with undefined, deletes) the value of `id`. */
  set(id: string, value: T | undefined): void {
    if (value === undefined) this.byId.delete(id)
    else this.byId.set(id, value)
    const i = this.table?.indexOf.get(id)
    if (i !== undefined) this.mirror[i] = value
  }

  /** Deletes the value of `id`. */
  delete(id: string): void {
    this.set(id, undefined)
  }

  /** The values by `table`'s gateway index (undefined where none); read-only for the caller. */
  at(table: GatewayIds): readonly (T | undefined)[] {
    if (table !== this.table) {
      const n = table.gateways.length
      const mirror = new Array<T | undefined>(n)
      for (let i = 0; i < n; i++) mirror[i] = this.byId.get(table.gateways[i]!.config.id)
      this.mirror = mirror
      this.table = table
    }
    return this.mirror
  }

  /** The string-keyed form (for readers without a table). */
  get map(): ReadonlyMap<string, T> {
    return this.byId
  }
}
