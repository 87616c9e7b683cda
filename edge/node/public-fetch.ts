// The Node edge's webhook fetch: node:http(s) whose DNS lookup refuses non-public addresses, so the address checked is the address connected to.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import { Readable } from 'node:stream'
import { parseIp, privateUrlHostIssue, specialRange } from '../../shared/net/address.js'
import type { FetchLike } from '../alerts/webhook.js'

/** Resolves a name to every address (node:dns by default; tests pass a resolver for names they own). */
export type Resolver = (hostname: string, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void

const systemResolver: Resolver = (hostname, callback) => dnsLookup(hostname, { all: true } satisfies LookupAllOptions, callback)

/** A lookup for `net.connect` that fails when any address of the name is not public (unless allowed), instead of connecting. */
function checkedLookup(resolve: Resolver, allowPrivateNetwork: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, (err, addresses) => {
      if (err !== null) return callback(err, '', 0)
      if (!allowPrivateNetwork) {
        for (const a of addresses) {
          const ip = parseIp(a.address)
          const range = ip === null ? 'unparsable' : specialRange(ip)
          if (range !== null) {
            const refused = Object.assign(new Error(`${hostname} resolves to ${a.address}, a ${range} address`), { code: 'EADDRNOTPUBLIC' })
            return callback(refused, '', 0)
          }
        }
      }
      const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses
      if (wanted.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0)
      if (options.all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, wanted)
      callback(null, wanted[0]!.address, wanted[0]!.family)
    })
  }
}

/** The body of a RequestInit as bytes (the webhook job sends strings). */
function bodyBytes(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string' || body instanceof Uint8Array) return body
  throw new TypeError('public fetch sends string or byte bodies only')
}

/**
 * A FetchLike for webhooks on Node: the URL's literal host is checked, and a name is resolved by a lookup that
 * refuses loopback, private, link-local (metadata), unique-local and other non-public addresses unless the webhook
 * sets allowPrivateNetwork. Redirects are never followed (the job asks for `redirect: 'manual'`).
 */
export function publicOnlyFetch(resolve: Resolver = systemResolver): FetchLike {
  return (input, init, target) => {
    const allowPrivateNetwork = target?.allowPrivateNetwork ?? false
    const url = new URL(input)
    if (!allowPrivateNetwork) {
      const issue = privateUrlHostIssue(input)
      if (issue !== null) return Promise.reject(new Error(`refused: ${issue}`))
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const headers = new Headers(init.headers)
    const body = bodyBytes(init.body)
    return new Promise<Response>((resolvePromise, reject) => {
      const req = send(url, {
        method: init.method ?? 'GET',
        headers: Object.fromEntries(headers),
        lookup: checkedLookup(resolve, allowPrivateNetwork),
        ...(init.signal === undefined || init.signal === null ? {} : { signal: init.signal }),
      }, (res: IncomingMessage) => {
        const out = new Headers()
        for (const [name, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) out.append(name, v)
          else if (value !== undefined) out.set(name, value)
        }
        const status = res.statusCode ?? 502
        const nullBody = status === 204 || status === 304 || init.method === 'HEAD'
        if (nullBody) res.resume()
        resolvePromise(new Response(nullBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, headers: out }))
      })
      req.once('error', reject)
      req.end(body)
    })
  }
}
