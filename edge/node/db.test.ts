// Opening the Node database: `file:` URLs get their folder created; server URLs have no file path.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { databaseFilePath, openNodeDb } from './db.js'

describe('databaseFilePath', () => {
  it('maps file: URLs to paths and server URLs to null', () => {
    expect(databaseFilePath('file:./data/softswitch.db')).toBe('./data/softswitch.db')
    expect(databaseFilePath('file:///var/lib/ss.db')).toBe('/var/lib/ss.db')
    expect(databaseFilePath('libsql://db.turso.io')).toBeNull()
    expect(databaseFilePath('http://127.0.0.1:8080')).toBeNull()
  })
})

describe('openNodeDb', () => {
  it('creates missing parent folders of a file database', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'softswitch-open-'))
    const file = join(dir, 'a', 'b', 'x.db')
    const { db, client } = await openNodeDb(pathToFileURL(file).href)
    try {
      await db.run('create table t (x integer)')
      expect((await stat(file)).isFile()).toBe(true)
    } finally {
      client.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
