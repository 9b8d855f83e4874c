// Krake reads its controller configuration with PyYAML's safe_load, a YAML
// 1.1 reader: `timeout: 030` is 24 there (octal), `1_000` is 1000, `1:30` is
// 90 (base 60), `yes` and `on` are true, `2001-01-02` is a date. This schema
// resolves plain scalars exactly as PyYAML's resolver and constructors do
// (resolver.py and constructor.py of PyYAML 6), so that a Krake fork and
// krake-hooks read one file alike. What JavaScript cannot hold as PyYAML does
// (an integer past 2^53, inf, nan, a date) becomes a PythonValue, which every
// check of a configuration value refuses by name.
import { CORE_SCHEMA, defineScalarTag, mergeTag, NOT_RESOLVED, type Schema } from 'js-yaml'

/** A scalar PyYAML reads as a Python value JSON has no match for; shown as its type and text. */
export class PythonValue {
  constructor(
    readonly type: 'int' | 'float' | 'timestamp',
    readonly text: string,
  ) {}
  /** How messages show it: `describeValue()` writes values through JSON.stringify. */
  toJSON(): string {
    return `${this.text} (a Python ${this.type === 'timestamp' ? 'date' : this.type} to PyYAML)`
  }
}

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/
const NULL = /^(?:~|null|Null|NULL|)$/
const INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/
const TIMESTAMP =
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/

/** construct_yaml_int: the sign, then 0b, 0x, a leading 0 (octal), base 60 parts, or decimal. */
function pyInt(source: string): number | PythonValue | typeof NOT_RESOLVED {
  if (!INT.test(source)) return NOT_RESOLVED
  let text = source.replaceAll('_', '')
  let sign = 1n
  if (text.startsWith('-') || text.startsWith('+')) {
    if (text.startsWith('-')) sign = -1n
    text = text.slice(1)
  }
  let value: bigint
  if (text === '0') value = 0n
  else if (text.startsWith('0b')) value = BigInt('0b' + text.slice(2))
  else if (text.startsWith('0x')) value = BigInt('0x' + text.slice(2))
  else if (text.startsWith('0')) value = BigInt('0o' + text.slice(1))
  else if (text.includes(':')) value = text.split(':').reduce((acc, part) => acc * 60n + BigInt(part), 0n)
  else value = BigInt(text)
  value *= sign
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
    return new PythonValue('int', source)
  const n = Number(value)
  return n === 0 ? 0 : n
}

/** What Python's float() takes once construct_yaml_float has removed `_` and lowered the case. */
const PYTHON_FLOAT = /^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?$/

/**
 * construct_yaml_float: inf and nan kept as Python values, base 60 parts
 * summed, else the decimal. An explicit `!!float 30` is constructed from any
 * text Python's float() reads (30.0 there, 30 here).
 */
function pyFloat(source: string, explicit = false): number | PythonValue | typeof NOT_RESOLVED {
  if (!FLOAT.test(source) && !(explicit && PYTHON_FLOAT.test(source.replaceAll('_', '').toLowerCase())))
    return NOT_RESOLVED
  let text = source.replaceAll('_', '').toLowerCase()
  if (text.endsWith('.inf') || text === '.nan') return new PythonValue('float', source)
  let sign = 1
  if (text.startsWith('-') || text.startsWith('+')) {
    if (text.startsWith('-')) sign = -1
    text = text.slice(1)
  }
  const n = text.includes(':')
    ? text.split(':').reduce((acc, part) => acc * 60 + Number(part), 0)
    : Number(text.endsWith('.') ? text + '0' : text)
  if (!Number.isFinite(n)) return new PythonValue('float', source) // Python's float: 1e400 is inf
  return sign * n === 0 ? 0 : sign * n
}

const TAG = 'tag:yaml.org,2002:'

/** Plain scalars as PyYAML's safe_load resolves them; merge keys as PyYAML takes them. */
export const PYYAML_SCHEMA: Schema = CORE_SCHEMA.withTags(
  defineScalarTag<null>(`${TAG}null`, {
    implicit: true,
    resolve: (s) => (NULL.test(s) ? null : NOT_RESOLVED),
    identify: (v) => v === null,
  }),
  defineScalarTag<boolean>(`${TAG}bool`, {
    implicit: true,
    resolve: (s) => (BOOL.test(s) ? /^(?:yes|true|on)$/i.test(s) : NOT_RESOLVED),
    identify: (v) => typeof v === 'boolean',
  }),
  defineScalarTag<number | PythonValue>(`${TAG}int`, {
    implicit: true,
    resolve: pyInt,
    identify: (v) => typeof v === 'number' && Number.isInteger(v),
  }),
  defineScalarTag<number | PythonValue>(`${TAG}float`, {
    implicit: true,
    resolve: pyFloat,
    identify: (v) => typeof v === 'number' && !Number.isInteger(v),
  }),
  defineScalarTag<PythonValue>(`${TAG}timestamp`, {
    implicit: true,
    resolve: (s) => (TIMESTAMP.test(s) ? new PythonValue('timestamp', s) : NOT_RESOLVED),
    identify: (v) => v instanceof PythonValue && v.type === 'timestamp',
  }),
  mergeTag,
)
