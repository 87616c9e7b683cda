// Test support: the two paths of the CDR writer into a local file, for tests that run once through each.
import type { Database } from '../../../shared/db/node/database.js'
import { clientCdrInsert, openCdrInsert, type CdrInsert } from '../cdr-insert.js'

/** Statements prepared once on a connection of the writer's own (the default for a file), and the client's (a replica's or a server's). */
export const INSERT_PATHS: Array<[string, (d: Database) => CdrInsert]> = [
  ['statements prepared once on its own connection', (d) => openCdrInsert(d)],
  ['the libSQL client', (d) => clientCdrInsert(d.client)],
]
