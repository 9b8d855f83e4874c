// Plain scalars as the Go tools read them: kubectl (sigs.k8s.io/yaml, on
// go-yaml v2) and kustomize and kpt (go-yaml v3). Both resolve numbers with
// Go's strconv after dropping every "_": ParseInt(s, 0, 64) for integers
// (0x, 0o, 0b, a leading 0 for octal, a sign), then, for what looks like a
// YAML float, ParseFloat. Measured with both tools: test/yaml/go-readers.test.ts.
//
// Where the two disagree, we choose:
// - yes/no/on/off/y/n (YAML 1.1 booleans): kubectl reads booleans, kustomize
//   strings. We read strings (YAML 1.2, and a key `y:` stays "y") and always
//   quote them when writing, so that both read the string.
// - dates (2001-01-02): kubectl keeps the text, kustomize rewrites it as
//   2001-01-02T00:00:00Z. We keep the text and quote it when writing.
// - 0o-7 (a sign after 0o): kubectl keeps the text, kustomize reads an
//   integer (go-yaml v3 parses what follows 0o alone). We read the text and
//   quote it when writing. After 0b both parse what follows alone (0b+1 is 1,
//   0b-1 is -1), and so do we.
// - integers past 2^53: kubectl rounds those past 2^63 to a float, kustomize
//   keeps them; JavaScript can keep neither, so they are refused.
import { defineScalarTag, NOT_RESOLVED, type ScalarTagDefinition } from 'js-yaml'

/** A number JSON cannot carry exactly (an integer past 2^53, .inf, .nan): refused after loading, with its path. */
export class UnrepresentableNumber {
  constructor(readonly text: string) {}
}

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL'])
const TRUE = new Set(['true', 'True', 'TRUE'])
const FALSE = new Set(['false', 'False', 'FALSE'])
const NUMBER_START = '0123456789+-.'.split('')
// strconv.ParseInt(s, 0, 64) accepts, after the sign: 0x/0o/0b and digits, a leading 0 (octal), or decimal
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/
// the YAML float form go-yaml checks before strconv.ParseFloat
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/
const INF_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/

/** The integer Go reads, or NOT_RESOLVED. */
function goInt(source: string): number | UnrepresentableNumber | typeof NOT_RESOLVED {
  const plain = source.replaceAll('_', '')
  // go-yaml v2 and v3 both parse what follows a lowercase 0b on its own, sign included
  const binary = /^0b([-+]?)([01]+)$/.exec(plain)
  if (binary) return exact(BigInt('0b' + (binary[2] ?? '0')) * (binary[1] === '-' ? -1n : 1n), source)
  if (!GO_INT.test(plain)) return NOT_RESOLVED
  const negative = plain.startsWith('-')
  const digits = plain.replace(/^[-+]/, '')
  const radixed = /^0[oO]/.test(digits)
    ? '0o' + digits.slice(2)
    : /^0[0-7]+$/.test(digits)
      ? '0o' + digits.slice(1)
      : digits
  const value = BigInt(radixed.replace(/^0[XB]/, (p) => p.toLowerCase()))
  return exact(negative ? -value : value, source)
}

/** `value` as a number, or refused when JavaScript cannot keep it exactly. */
function exact(value: bigint, source: string): number | UnrepresentableNumber {
  // Past 2^53 JavaScript cannot keep it (2^53 itself it can); past int64/uint64 Go itself reads a float.
  // Either way: refused, never changed.
  if (value > 2n ** 53n || value < -(2n ** 53n)) return new UnrepresentableNumber(source)
  const n = Number(value)
  return n === 0 ? 0 : n
}

// A scalar that starts with "." goes to strconv.ParseFloat as written, underscores included, and Go's
// ParseFloat takes no underscore in a decimal: ._5, .5_ and .5_e3 stay strings (issue 16)
const DOT_FLOAT = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/

/** The float Go reads, or NOT_RESOLVED (then the scalar is a string, as for 1.5e400 in Go). */
function goFloat(source: string): number | UnrepresentableNumber | typeof NOT_RESOLVED {
  if (INF_NAN.test(source)) return new UnrepresentableNumber(source)
  if (source.startsWith('.') && !DOT_FLOAT.test(source)) return NOT_RESOLVED
  const plain = source.replaceAll('_', '')
  if (!GO_FLOAT.test(plain)) return NOT_RESOLVED
  const n = Number(plain)
  if (!Number.isFinite(n)) return NOT_RESOLVED // strconv.ParseFloat's ErrRange: Go keeps the string
  return n === 0 ? 0 : n
}

const YAML = 'tag:yaml.org,2002:'

/** null, true/false, integers and floats, each exactly as both Go readers resolve them. */
export const GO_TAGS: readonly ScalarTagDefinition[] = [
  defineScalarTag<null>(`${YAML}null`, {
    implicit: true,
    resolve: (s) => (NULLS.has(s) ? null : NOT_RESOLVED),
    identify: (v) => v === null,
    represent: () => 'null',
  }),
  defineScalarTag<boolean>(`${YAML}bool`, {
    implicit: true,
    implicitFirstChars: ['t', 'T', 'f', 'F'],
    resolve: (s) => (TRUE.has(s) ? true : FALSE.has(s) ? false : NOT_RESOLVED),
    identify: (v) => typeof v === 'boolean',
    represent: (v: boolean) => (v ? 'true' : 'false'),
  }),
  defineScalarTag<number | UnrepresentableNumber>(`${YAML}int`, {
    implicit: true,
    implicitFirstChars: NUMBER_START,
    resolve: goInt,
    identify: (v) => typeof v === 'number' && Number.isInteger(v),
    represent: (v: number) => String(v),
  }),
  defineScalarTag<number | UnrepresentableNumber>(`${YAML}float`, {
    implicit: true,
    implicitFirstChars: NUMBER_START,
    // an explicit !!float takes any number Go reads: !!float 0x10 is 16
    resolve: (s, explicit) => {
      const f = goFloat(s)
      return f === NOT_RESOLVED && explicit ? goInt(s) : f
    },
    identify: (v) => typeof v === 'number' && !Number.isInteger(v),
    represent: (v: number) => String(v),
  }),
]

/**
 * Plain scalars that some reader takes for something other than a string:
 * when writing a string that matches one, it is quoted. Detectors only
 * (`identify` is false): Go's numbers and timestamps, YAML 1.1's booleans,
 * base-60 numbers and timestamps, on top of js-yaml's DUMP_SCHEMA.
 */
export const NOT_A_STRING_FOR_SOMEONE: readonly ScalarTagDefinition[] = [
  detector(
    'go-number',
    (s) => goInt(s) !== NOT_RESOLVED || goFloat(s) !== NOT_RESOLVED || GO_FLOAT.test(s.replaceAll('_', '')),
  ),
  // go-yaml v3 reads 2006-1-2, with an optional time after T, t or spaces
  detector('go-timestamp', (s) =>
    /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$/.test(
      s,
    ),
  ),
  // go-yaml v3 reads what follows 0o with strconv.ParseInt(rest, 8): a sign after the prefix passes there
  // (0o-0 is 0), where kubectl keeps the text (issue 16, found by the property)
  detector('go-yaml-v3-octal', (s) => /^0o[-+][0-9]+$/.test(s.replaceAll('_', ''))),
  detector('yaml11-bool', (s) => /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(s)),
  detector('yaml11-sexagesimal', (s) => /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s)),
]

function detector(name: string, matches: (source: string) => boolean): ScalarTagDefinition {
  return defineScalarTag<true>(`tag:krake-hooks,2026:${name}`, {
    implicit: true,
    resolve: (s) => (matches(s) ? true : NOT_RESOLVED),
    identify: () => false,
  })
}
