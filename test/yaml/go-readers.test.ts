// YAML as the Go tools read it (issue 11), with the tools themselves as the
// oracle, no server needed: `kubectl annotate --local -f - -o json x=y` is
// kubectl's reader (sigs.k8s.io/yaml on go-yaml v2), and `kubectl kustomize
// DIR` is kustomize's (go-yaml v3), read back through kubectl. Both
// directions: what we read from plain scalars, and whether what we write is
// read back as the same strings.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HookError, parseManifests, stringifyManifests } from '../../src/index.js'
import { hookErrorOf } from '../helpers.js'

type Obj = Record<string, any>
let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'krake-hooks-yaml-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const CORPUS = readFileSync(new URL('../fixtures/yaml/go-scalars.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('# '))

/** A custom resource (so kubectl keeps it unstructured) whose spec holds `k<i>: <scalar i>`. */
const documentOf = (scalars: readonly string[]) =>
  `apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t\nspec:\n${scalars.map((s, i) => `  k${i}: ${s}\n`).join('')}`
const valuesOf = (spec: Obj, n: number) => Array.from({ length: n }, (_, i) => spec[`k${i}`])

/** kubectl's reading of a YAML stream, as JSON. */
function kubectl(yaml: string): Obj[] {
  const text = execFileSync('kubectl', ['annotate', '--local', '-f', '-', '-o', 'json', 'x=y'], {
    input: yaml,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  // several objects come out as one JSON document each, one after the other
  const out = text.split(/(?<=\n\})\n(?=\{)/).map((doc) => JSON.parse(doc) as Obj)
  return out.flatMap((o) => (o.kind === 'List' ? (o.items as Obj[]) : [o]))
}

/** kustomize's reading: its output (go-yaml v3 writes every value unambiguously), read by kubectl. */
function kustomize(yaml: string): Obj[] {
  const k = mkdtempSync(join(dir, 'k-'))
  writeFileSync(join(k, 'in.yaml'), yaml)
  writeFileSync(join(k, 'kustomization.yaml'), 'resources:\n- in.yaml\n')
  return kubectl(execFileSync('kubectl', ['kustomize', k], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }))
}

/** The scalars the two Go readers read differently, and what we chose. */
const YAML11_BOOL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/
const DATE = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?$/

describe('reading: parseManifests agrees with kubectl and kustomize on every scalar of the corpus', () => {
  it('each plain scalar means what both Go readers say, or, where they disagree, what we chose', () => {
    const yaml = documentOf(CORPUS)
    const ours = valuesOf((parseManifests(yaml)[0] as Obj).spec, CORPUS.length)
    const theirs = valuesOf(kubectl(yaml)[0]!.spec, CORPUS.length)
    const kust = valuesOf(kustomize(yaml)[0]!.spec, CORPUS.length)
    const disagreements: string[] = []
    CORPUS.forEach((scalar, i) => {
      if (YAML11_BOOL.test(scalar)) {
        // kubectl: a boolean (YAML 1.1); kustomize: the string. We read the string.
        expect([scalar, theirs[i], kust[i], ours[i]]).toEqual([
          scalar,
          /^[yYoO]|^on|^On|^ON/.test(scalar) && !/^of|^Of|^OF/.test(scalar) ? true : false,
          scalar,
          scalar,
        ])
        disagreements.push(scalar)
      } else if (DATE.test(scalar)) {
        // kubectl keeps the text; kustomize rewrites it as RFC 3339. We keep the text.
        expect([scalar, theirs[i], ours[i]]).toEqual([scalar, scalar, scalar])
        expect(kust[i]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[-+]\d{2}:\d{2})$/)
        disagreements.push(scalar)
      } else {
        expect([scalar, ours[i]]).toEqual([scalar, theirs[i]])
        expect([scalar, ours[i]]).toEqual([scalar, kust[i]])
      }
    })
    expect(disagreements.length).toBeGreaterThan(20)
  })

  it.each([
    ['9007199254740993', '/0/spec/n'],
    ['-9007199254740993', '/0/spec/n'],
    ['12345678901234567890', '/0/spec/n'],
    ['0x20000000000001', '/0/spec/n'],
    ['.inf', '/0/spec/n'],
    ['-.Inf', '/0/spec/n'],
    ['.nan', '/0/spec/n'],
  ])('%s cannot be read exactly: ERR_YAML_NUMBER at its path, never a changed value', (scalar, path) => {
    const e = hookErrorOf(() =>
      parseManifests(`apiVersion: v1\nkind: Thing\nmetadata: {name: t}\nspec:\n  list: [1]\n  n: ${scalar}\n`),
    )
    expect([e.code, e.path]).toEqual(['ERR_YAML_NUMBER', path])
    expect(e.message).toContain(scalar)
  })

  it('integers up to 2^53 are read exactly, in every base', () => {
    const [doc] = parseManifests(
      'a: 9007199254740991\nb: 0x1FFFFFFFFFFFFF\nc: -9007199254740991\nd: 0o377777777777777777\n',
    ) as Obj[]
    expect(doc).toEqual({ a: 2 ** 53 - 1, b: 2 ** 53 - 1, c: -(2 ** 53 - 1), d: 2 ** 53 - 1 })
  })

  it('an alias chain that nests past the depth limit is a HookError, not a RangeError', () => {
    let yaml = 'l0: &a0 [1]\n'
    for (let i = 1; i < 400; i++) yaml += `l${i}: &a${i} [*a${i - 1}]\n`
    const e = hookErrorOf(() => parseManifests(yaml))
    expect([e.code, e.path]).toEqual(['ERR_TOO_DEEP', '/0'])
  })
})

describe('writing: stringifyManifests is read back as the same strings by kubectl and kustomize', () => {
  it('every scalar of the corpus, written as a string, is read back as that string by both', () => {
    const strings = Object.fromEntries(CORPUS.map((s, i) => [`k${i}`, s]))
    const yaml = stringifyManifests([
      { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec: strings },
    ])
    expect(kubectl(yaml)[0]!.spec).toEqual(strings)
    expect(kustomize(yaml)[0]!.spec).toEqual(strings)
    expect((parseManifests(yaml)[0] as Obj).spec).toEqual(strings)
  })

  it('numbers, booleans and null are written so that both read the same values', () => {
    const spec = {
      int: 420,
      neg: -31,
      big: 2 ** 53 - 1,
      float: 0.0125,
      exp: 1e21,
      tiny: 5e-324,
      t: true,
      f: false,
      n: null,
    }
    const yaml = stringifyManifests([{ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec }])
    expect(kubectl(yaml)[0]!.spec).toEqual(spec)
    expect(kustomize(yaml)[0]!.spec).toEqual(spec)
  })

  it('a 2 MiB value is written (as JSON, which is YAML) and read back by kubectl, never a RangeError', () => {
    const big = 'x'.repeat(2 * 1024 * 1024)
    const yaml = stringifyManifests([
      { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec: { big, other: 'yes' } },
    ])
    expect(kubectl(yaml)[0]!.spec).toEqual({ big, other: 'yes' })
    expect((parseManifests(yaml)[0] as Obj).spec).toEqual({ big, other: 'yes' })
  })

  it('keys that look like other types are quoted too: kubectl would read y: as "true"', () => {
    const spec = { y: 1, '1': 2, null: 3, '2001-01-02': 4, '0x1F': 5, normal: 6 }
    const yaml = stringifyManifests([{ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec }])
    expect(kubectl(yaml)[0]!.spec).toEqual(spec)
  })
})

/** Strings made of what makes scalars ambiguous: digits, signs, dots, colons, e/x/o/b, _, dashes, spaces, letters. */
const trickyString = fc
  .array(
    fc.constantFrom(
      ...'0123456789+-._:eExXoObB yYnNtT~#'.split(''),
      '0x',
      '0o',
      '0b',
      'true',
      'null',
      'yes',
      'on',
      '.inf',
      '.nan',
      '2001-01-02',
      '1e3',
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(''))

describe('writing: the strings the property found (issue 16)', () => {
  it('0o-0, 0b+1 and their kin are quoted, so that neither reader takes an integer', () => {
    const strings = ['0o-0', '0o+7', '-0o7', '0b-1', '0b+1', '-0b1', '0o_-1', '-0o-1', '0O-1']
    const spec = Object.fromEntries(strings.map((v, i) => [`k${i}`, v]))
    const yaml = stringifyManifests([{ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec }])
    expect(kubectl(yaml)[0]!.spec).toEqual(spec)
    expect(kustomize(yaml)[0]!.spec).toEqual(spec)
    // read: 0b+1 and 0b-1 are integers to both readers and to us; 0o-7 is the text to kubectl and to us
    // (kustomize reads -7: a disagreement we settle for the text)
    const plain = ['0o-7', '0b+1', '0b-1', '0b_-1']
    expect(valuesOf((parseManifests(documentOf(plain))[0] as Obj).spec, 4)).toEqual(['0o-7', 1, -1, -1])
    expect(valuesOf(kubectl(documentOf(plain))[0]!.spec, 4)).toEqual(['0o-7', 1, -1, -1])
    expect(valuesOf(kustomize(documentOf(plain))[0]!.spec, 4)).toEqual([-7, 1, -1, -1])
  })
})

describe('property (fast-check): both directions over generated strings', () => {
  it('any string we write is read back as that string by kubectl and kustomize', () => {
    fc.assert(
      fc.property(fc.array(trickyString, { minLength: 50, maxLength: 50 }), (strings) => {
        const spec = Object.fromEntries(strings.map((s, i) => [`k${i}`, s]))
        const yaml = stringifyManifests([
          { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec },
        ])
        expect(kubectl(yaml)[0]!.spec).toEqual(spec)
        expect(kustomize(yaml)[0]!.spec).toEqual(spec)
      }),
      { numRuns: 4 },
    )
  })

  it('any plain scalar kubectl and kustomize read alike, we read alike too (or refuse it with a HookError)', () => {
    fc.assert(
      fc.property(fc.array(trickyString, { minLength: 50, maxLength: 50 }), (scalars) => {
        // only what is a valid plain scalar in a block mapping, as a Go reader would accept it
        const plain = scalars.filter(
          (s) => /^[^\s#:-]/.test(s) && !/\s#|:\s|:$|\s$/.test(s) && !/^[?|>!&*%@`'"{}[\],]/.test(s),
        )
        if (plain.length === 0) return
        const yaml = documentOf(plain)
        let ours: unknown[]
        try {
          ours = valuesOf((parseManifests(yaml)[0] as Obj).spec, plain.length)
        } catch (e) {
          expect(e).toBeInstanceOf(HookError)
          expect((e as HookError).code).toBe('ERR_YAML_NUMBER')
          return
        }
        const a = valuesOf(kubectl(yaml)[0]!.spec, plain.length)
        const b = valuesOf(kustomize(yaml)[0]!.spec, plain.length)
        plain.forEach((s, i) => {
          if (JSON.stringify(a[i]) === JSON.stringify(b[i])) expect([s, ours[i]]).toEqual([s, a[i]])
          else expect([s, ours[i]]).toEqual([s, s]) // where they disagree we read the string
        })
      }),
      { numRuns: 4 },
    )
  })
})

/** Whether a Go reader refuses the stream. */
const refuses = (read: (yaml: string) => unknown, yaml: string) => {
  try {
    read(yaml)
    return false
  } catch {
    return true
  }
}
const configMap = (data: string, name = 'c') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${data}`

describe('reading what the independent corpus found (issue 16), with both Go readers as the oracle', () => {
  it('a byte-order mark at the start of a later document is dropped, as both drop it', () => {
    const yaml = `${configMap('  a: "1"\n', 'a')}---\n\uFEFF${configMap('  b: "2"\n', 'b')}---\n\uFEFF---\n${configMap('  c: "3"\n')}`
    const ours = parseManifests(yaml) as Obj[]
    expect(ours.map((d) => Object.keys(d)[0])).toEqual(['apiVersion', 'apiVersion', 'apiVersion'])
    expect(ours.map((d) => d.data)).toEqual(kubectl(yaml).map((d) => d.data))
    expect(ours.map((d) => d.data)).toEqual(kustomize(yaml).map((d) => d.data))
  })

  it('._5, .5_, .5__5, .5_e3, ._5e3 and .5e_3 are strings (Go takes no underscore in a float that starts with a dot); .5e3 is a number', () => {
    const scalars = ['._5', '.5_', '.5__5', '.5_e3', '._5e3', '.5e_3', '.5e3', '.5']
    const expected = ['._5', '.5_', '.5__5', '.5_e3', '._5e3', '.5e_3', 500, 0.5]
    expect(valuesOf((parseManifests(documentOf(scalars))[0] as Obj).spec, 8)).toEqual(expected)
    expect(valuesOf(kubectl(documentOf(scalars))[0]!.spec, 8)).toEqual(expected)
    expect(valuesOf(kustomize(documentOf(scalars))[0]!.spec, 8)).toEqual(expected)
  })

  it('2^53 itself is read (a double holds it exactly); 2^53 + 1 is refused', () => {
    const yaml = documentOf(['9007199254740992', '-9007199254740992'])
    expect(valuesOf((parseManifests(yaml)[0] as Obj).spec, 2)).toEqual([2 ** 53, -(2 ** 53)])
    expect(valuesOf(kubectl(yaml)[0]!.spec, 2)).toEqual([2 ** 53, -(2 ** 53)])
    expect(hookErrorOf(() => parseManifests(documentOf(['9007199254740993']))).code).toBe('ERR_YAML_NUMBER')
  })

  it.each([
    ['a raw U+2028 in a scalar', configMap('  a: x\u2028y\n'), 6],
    ['a raw U+2029 in a block scalar', configMap('  a: |\n    x\u2029y\n'), 7],
    ['a raw U+2028 in a comment', configMap('  a: b # x\u2028y\n'), 6],
    ['a raw U+0085 in a scalar', configMap('  a: x\u0085y\n'), 6],
    ['the escape \\/', configMap('  a: "a\\/b"\n'), 6],
    ['a null key ~', configMap('  ~: b\n'), 6],
    ['a null key null', configMap('  null: b\n'), 6],
    ['a %YAML directive', `%YAML 1.1\n---\n${configMap('  a: b\n')}`, 1],
  ])('%s: refused by both Go readers, and by us with ERR_YAML_SYNTAX at its line', (_, yaml, line) => {
    expect(refuses(kubectl, yaml)).toBe(true)
    expect(refuses(kustomize, yaml)).toBe(true)
    const e = hookErrorOf(() => parseManifests(yaml))
    expect([e.code, e.line]).toEqual(['ERR_YAML_SYNTAX', line])
    // a raw break is a line break to both (issue 33): they refuse these inputs, but the message says
    // what they do with the character, since elsewhere they read it as another structure instead
    expect(e.message).toMatch(
      /[\u0085\u2028\u2029]/.test(yaml)
        ? /kubectl and kustomize read it as a line break/
        : /kubectl and kustomize refuse it$/,
    )
  })

  it('what only looks like them is taken: an escaped backslash before a slash, a key "null" quoted, U+2028 escaped or raw in quotes', () => {
    const yaml = configMap('  a: "a\\\\/b"\n  "null": x\n  c: "x\\u2028y"\n  d: "x\u2029y"\n  e: \'x\u2028y\'\n')
    const ours = (parseManifests(yaml)[0] as Obj).data
    expect(ours).toEqual({ a: 'a\\/b', null: 'x', c: 'x\u2028y', d: 'x\u2029y', e: 'x\u2028y' })
    expect(kubectl(yaml)[0]!.data).toEqual(ours)
    expect(kustomize(yaml)[0]!.data).toEqual(ours)
  })
})

describe('writing what neither Go reader would read back (issue 16)', () => {
  it('the oracles: "\\uD800" is refused by both, and a key "<<" is dropped by kustomize, however it is quoted', () => {
    expect(refuses(kubectl, configMap('  a: "\\uD800"\n'))).toBe(true)
    expect(refuses(kustomize, configMap('  a: "\\uD800"\n'))).toBe(true)
    for (const key of ["'<<'", '"<<"', '!!str <<']) {
      expect(kustomize(configMap(`  ${key}: x\n  b: "y"\n`))[0]!.data).toEqual({ b: 'y' })
    }
  })

  it.each([
    ['a lone surrogate in a value', { a: 'x\uD800' }, '/0/data/a', /lone surrogate/],
    ['a lone surrogate in a key', { ['k\uDC00']: 'x' }, '/0/data/k\uDC00', /lone surrogate/],
    ['a key "<<"', { '<<': 'x' }, '/0/data/<<', /merge key/],
  ])('%s is ERR_INVALID_VALUE at its path, never written', (_, data, path, why) => {
    const e = hookErrorOf(() =>
      stringifyManifests([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data }]),
    )
    expect([e.code, e.path]).toEqual(['ERR_INVALID_VALUE', path])
    expect(e.message).toMatch(why)
  })

  it('a surrogate pair (an emoji) is written and read back by both', () => {
    const data = { a: 'x\u{1F600}y' }
    const yaml = stringifyManifests([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data }])
    expect(kubectl(yaml)[0]!.data).toEqual(data)
    expect(kustomize(yaml)[0]!.data).toEqual(data)
  })
})

describe('explicit tags as both Go readers take them (issue 16)', () => {
  const tagged = [
    '!!str [1]',
    '!custom {x: 1}',
    '!custom [1, 2]',
    '!!int "12"',
    '!!float "1.5"',
    '!!binary aGVsbG8=',
    '!custom true',
    '!!str 12',
    '!<tag:yaml.org,2002:str> 13',
    '!!float 0x10',
    '!custom 12',
    '!!binary |\n    aGVs\n    bG8=',
  ]
  it('each reads as kubectl and kustomize read it', () => {
    const yaml = documentOf(tagged)
    const expected = [[1], { x: 1 }, [1, 2], 12, 1.5, 'hello', 'true', '12', '13', 16, '12', 'hello']
    expect(valuesOf(kubectl(yaml)[0]!.spec, tagged.length)).toEqual(expected)
    expect(valuesOf(kustomize(yaml)[0]!.spec, tagged.length)).toEqual(expected)
    expect(valuesOf((parseManifests(yaml)[0] as Obj).spec, tagged.length)).toEqual(expected)
  })

  it('a !!binary that is not base64 is refused, as both refuse it', () => {
    const yaml = documentOf(['!!binary "not base64!"'])
    expect(refuses(kubectl, yaml)).toBe(true)
    expect(refuses(kustomize, yaml)).toBe(true)
    expect(hookErrorOf(() => parseManifests(yaml)).code).toBe('ERR_YAML_SYNTAX')
  })
})

describe('flow content indented less than js-yaml wants, as both Go readers take it (issue 16)', () => {
  it.each([
    ['a flow sequence closed at the key column', '    args: [\n      "sleep",\n    ]\n'],
    ['a flow sequence whose items start at the key column', '    command: [\n    "a"]\n'],
    ['a flow mapping continued at the key column', '    env: [{name: A,\n    value: "1"}]\n'],
    ['a double-quoted scalar continued at the key column', '    image: "x\n    y"\n'],
    ['a single-quoted scalar continued at column 0', "    image: 'x\ny'\n"],
    ['a flow sequence at column 0', '    args: [\n"a",\n]\n'],
  ])('%s', (_, container) => {
    const yaml = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n${container}`
    const ours = (parseManifests(yaml)[0] as Obj).spec
    expect(ours).toEqual(kubectl(yaml)[0]!.spec)
    expect(ours).toEqual(kustomize(yaml)[0]!.spec)
  })

  it('a block mapping key indented too little is still an error, at its line', () => {
    const e = hookErrorOf(() => parseManifests('a:\n  b: 1\n c: 2\n'))
    expect([e.code, e.line]).toEqual(['ERR_YAML_SYNTAX', 3])
  })
})

describe('what the second corpus found (issue 33), with both Go readers as the oracle', () => {
  const longKey = 'k'.repeat(1100)
  it.each([
    ['an escaped surrogate pair', configMap('  a: "\\ud83d\\ude00"\n')],
    ['a lone escaped surrogate', configMap('  a: "x\\udc00"\n')],
    ['an escape past U+10FFFF', configMap('  a: "x\\U00110000"\n')],
    ['a raw U+007F in a quoted string', configMap('  a: "x\u007fy"\n')],
    ['a raw U+007F in a comment', configMap('  a: b # x\u007f\n')],
    ['a raw U+FFFE in a quoted string', configMap('  a: "x\ufffey"\n')],
    ['a raw U+FFFF in a comment', configMap('  a: b # \uffff\n')],
    ['a plain scalar ":x" in a flow sequence', configMap('  a: "1"\n') + 'x: [:x]\n'],
    ['a tag before "]"', configMap('  a: "1"\n') + 'x: [!x]\n'],
    ['a %FOO directive', `%FOO bar\n---\n${configMap('  a: b\n')}`],
    ['a key over 1,024 characters', configMap(`  ${longKey}: b\n`)],
  ])('%s: refused by both Go readers, and by us with ERR_YAML_SYNTAX', (_, yaml) => {
    expect(refuses(kubectl, yaml)).toBe(true)
    expect(refuses(kustomize, yaml)).toBe(true)
    expect(hookErrorOf(() => parseManifests(yaml)).code).toBe('ERR_YAML_SYNTAX')
  })

  it('"--- ~" (content on the separator line) is refused by kubectl, and by us', () => {
    const yaml = `--- ~\n${configMap('  a: b\n')}`
    expect(refuses(kubectl, yaml)).toBe(true)
    const e = hookErrorOf(() => parseManifests(yaml))
    expect([e.code, e.line]).toEqual(['ERR_YAML_SYNTAX', 1])
    expect(e.message).toMatch(/kubectl's splitter refuses it/)
  })

  it('a document after "..." that no "---" starts: both drop it unread, we refuse it (nothing applied that kubectl never saw)', () => {
    const yaml = `${configMap('  a: b\n', 'first')}...\n# a comment\n${configMap('  a: b\n', 'second')}`
    expect(kubectl(yaml).map((o) => o.metadata.name)).toEqual(['first'])
    expect(kustomize(yaml).map((o) => o.metadata.name)).toEqual(['first'])
    const e = hookErrorOf(() => parseManifests(yaml))
    expect([e.code, e.line]).toEqual(['ERR_YAML_SYNTAX', 9]) // the line the dropped document starts on
    expect(e.message).toMatch(/a document after "\.\.\." that no "---" starts/)
    // with its "---", it is read by all three
    const opened = `${configMap('  a: b\n', 'first')}...\n---\n${configMap('  a: b\n', 'second')}`
    expect((parseManifests(opened) as Obj[]).map((o) => o.metadata.name)).toEqual(['first', 'second'])
    expect(kubectl(opened).map((o) => o.metadata.name)).toEqual(['first', 'second'])
  })

  it('what both read alike, we read alike: a TAB after an indicator in flow and after a key, a raw NEL in quotes (a space)', () => {
    const yaml = documentOf(['[1,\t2]', '{a:\t1}', '[a\tb]', '"a\u0085b"', "'a\u0085b'"]) + '  z:\t[1]\n'
    const spec = (parseManifests(yaml)[0] as Obj).spec
    expect(spec).toEqual({ k0: [1, 2], k1: { a: 1 }, k2: ['a\tb'], k3: 'a b', k4: 'a b', z: [1] })
    expect(kubectl(yaml)[0]!.spec).toEqual(spec)
    expect(kustomize(yaml)[0]!.spec).toEqual(spec)
  })

  it('an anchor name go-yaml ends early (&x:y): kubectl reads the anchor x and the value ":y", js-yaml the anchor "x:y"; refused', () => {
    const yaml = documentOf(['&x:y'])
    expect(kubectl(yaml)[0]!.spec).toEqual({ k0: ':y' })
    expect(hookErrorOf(() => parseManifests(yaml)).message).toMatch(/the anchor or alias name "x:y"/)
  })

  it('a raw NEL in a plain key is a line break to both, so the message says that, not that they refuse it', () => {
    const yaml = configMap('  a\u0085b: c\n')
    const e = hookErrorOf(() => parseManifests(yaml))
    expect(e.message).toMatch(/kubectl and kustomize read it as a line break/)
    expect(e.message).not.toMatch(/refuse it$/)
    expect(refuses(kubectl, yaml)).toBe(false) // kubectl reads it, as another structure
  })
})
