// Covers RFC 1321 §A.5 and FIPS 180-4 test vectors, and RFC 7616 §3.9.1 HA1 and response values for MD5 and SHA-256.
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { computeHa1, digestHash, md5Hex, sha256Hex, utf8Bytes } from './digest-hash.js'

describe('md5Hex', () => {
  it.each([
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
  ])('hashes %j to the RFC 1321 value', (input, hex) => {
    expect(md5Hex(input)).toBe(hex)
  })

  it('matches node:crypto for arbitrary unicode text, including block-boundary lengths', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        expect(md5Hex(s)).toBe(createHash('md5').update(s, 'utf8').digest('hex'))
      }),
    )
  })
})

describe('sha256Hex', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ])('hashes %j to the FIPS 180-4 value', (input, hex) => {
    expect(sha256Hex(input)).toBe(hex)
  })

  it('hashes one million "a" to the FIPS 180-4 long-message value', () => {
    expect(sha256Hex('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0')
  })

  it('matches node:crypto for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'))
      }),
    )
  })
})

describe('utf8Bytes', () => {
  it('encodes like Buffer for any string, including astral characters', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), (s) => {
      expect(Array.from(utf8Bytes(s))).toEqual(Array.from(Buffer.from(s, 'utf8')))
    }))
  })
})

describe('computeHa1', () => {
  // RFC 7616 §3.9.1: user Mufasa, realm http-auth@example.org, password "Circle of Life", GET /dir/index.html.
  const user = 'Mufasa'
  const realm = 'http-auth@example.org'
  const password = 'Circle of Life'
  const nonce = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v'
  const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ'

  it.each([
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
  ] as const)('yields the RFC 7616 §3.9.1 %s response when combined with HA2', (algorithm, response) => {
    const ha1 = computeHa1(algorithm, user, realm, password)
    const ha2 = digestHash(algorithm, 'GET:/dir/index.html')
    expect(digestHash(algorithm, `${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`)).toBe(response)
  })

  it('computes the MD5 HA1 of the RFC 7616 example', () => {
    expect(computeHa1('MD5', user, realm, password)).toBe('3d78807defe7de2157e2b0b6573a855f')
  })

  it('computes the SHA-256 HA1 of the RFC 7616 example', () => {
    expect(computeHa1('SHA-256', user, realm, password)).toBe('7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232')
  })
})
