// Covers docs/architecture.md "Routing": a prefix matches when it starts the number, the empty prefix matches every number, longest first.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PrefixTrie, PrefixTrieError } from './prefix-trie.js'

const lengthsOf = (t: PrefixTrie<string>, n: string) => t.matches(n).map((m) => [m.length, [...m.values]])

describe('PrefixTrie', () => {
  it('returns every matching prefix with its values, longest first', () => {
    const t = new PrefixTrie<string>()
    t.insert('0033', 'B')
    t.insert('00331', 'A')
    t.insert('0033', 'C')
    t.insert('0044', 'D')
    expect(lengthsOf(t, '0033155')).toEqual([[5, ['A']], [4, ['B', 'C']]])
  })

  it('gives each match the prefix string it was inserted with, the same string on every walk', () => {
    const t = new PrefixTrie<string>()
    const prefix = ['00', '33'].join('')
    t.insert(prefix, 'A')
    const [first] = t.matches('003312')
    expect(first?.prefix).toBe(prefix)
    expect(t.matches('00339')[0]?.prefix).toBe(first?.prefix)
  })

  it('matches the empty prefix against every number, including the empty one', () => {
    const t = new PrefixTrie<string>()
    t.insert('', 'ANY')
    expect(lengthsOf(t, '12345')).toEqual([[0, ['ANY']]])
    expect(lengthsOf(t, '')).toEqual([[0, ['ANY']]])
  })

  it('matches a prefix equal to the whole number and not one longer than it', () => {
    const t = new PrefixTrie<string>()
    t.insert('123', 'X')
    t.insert('1234', 'Y')
    expect(lengthsOf(t, '123')).toEqual([[3, ['X']]])
  })

  it('walks * # + as digits and stops at a character outside the alphabet', () => {
    const t = new PrefixTrie<string>()
    t.insert('+49', 'DE')
    t.insert('*#', 'CODE')
    t.insert('1', 'ONE')
    expect(lengthsOf(t, '+4930')).toEqual([[3, ['DE']]])
    expect(lengthsOf(t, '*#21#')).toEqual([[2, ['CODE']]])
    expect(lengthsOf(t, 'a1')).toEqual([])
  })

  it('refuses a prefix with a letter', () => {
    expect(() => new PrefixTrie<string>().insert('00a1', 'X')).toThrow(PrefixTrieError)
  })

  it('agrees with a startsWith scan for any prefixes and number', () => {
    const digit = fc.constantFrom(...'0123456789*#+')
    const num = fc.array(digit, { maxLength: 8 }).map((d) => d.join(''))
    fc.assert(
      fc.property(fc.array(num, { maxLength: 30 }), num, (prefixes, number) => {
        const t = new PrefixTrie<number>()
        prefixes.forEach((p, i) => t.insert(p, i))
        const expected = prefixes
          .map((p, i) => [p.length, i] as const)
          .filter(([, i]) => number.startsWith(prefixes[i]!))
          .sort((a, b) => b[0] - a[0] || a[1] - b[1])
        const got = t.matches(number).flatMap((m) => m.values.map((v) => [m.length, v] as const))
        expect(got).toEqual(expected)
        expect(t.size).toBe(prefixes.length)
      }),
    )
  })
})
