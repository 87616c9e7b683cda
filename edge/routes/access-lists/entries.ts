// Reading and deleting IP access-list rows of one list (blacklist or whitelist), shared by both resources' operations.
import { and, eq } from 'drizzle-orm'
import { ipAccessList } from '../../../shared/db/schema.js'
import type { AccessListRow } from '../../../shared/entities/access-list.js'
import type { ACCESS_LISTS } from '../../../shared/entities/enums.js'
import type { Queryable } from '../../env.js'
import { ApiError } from '../../errors.js'

/** One of the two lists. */
export type AccessListName = (typeof ACCESS_LISTS)[number]

/** The row with this id on `list`, or 404. */
export async function findEntry(tx: Queryable, list: AccessListName, id: string): Promise<AccessListRow> {
  const rows = await tx.select().from(ipAccessList).where(and(eq(ipAccessList.list, list), eq(ipAccessList.id, id))).limit(1)
  const row = rows[0]
  if (row === undefined) throw new ApiError('NOT_FOUND', `no ${list} entry with id ${id}`)
  return row
}

/** The 409 message when the block is already on the list. */
export function alreadyListed(list: AccessListName, cidr: string): () => string {
  return () => `${cidr} is already on the ${list}; delete that entry first to replace it`
}
