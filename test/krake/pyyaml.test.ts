// Krake reads its controller configuration with PyYAML's safe_load (YAML
// 1.1). parseKrakeHooksConfig reads numbers and booleans as PyYAML does
// (issue 16): each row of the table is a fact about PyYAML, checked against
// the real PyYAML of this machine's Python (Debian's python3-yaml), then
// against our reading of a Krake configuration.
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { parseKrakeHooksConfig } from '../../src/index.js'
import { hookErrorOf } from '../helpers.js'

/** scalar, what PyYAML makes of it (JSON; a date, a non-finite float or an integer past 2^53 as [Python type, text]) */
const FACTS: Array<[string, unknown]> = [
  ['30', 30],
  ['030', 24], // YAML 1.1 octal
  ['0o30', '0o30'], // YAML 1.2 octal is a string to PyYAML
  ['08', '08'], // not octal, not decimal: a string
  ['1_000', 1000],
  ['0x1F', 31],
  ['0b101', 5],
  ['+45', 45],
  ['-0', 0],
  ['1:30', 90], // base 60
  ['1:30:00', 5400],
  ['30.0', 30],
  ['1.5', 1.5],
  ['1e3', '1e3'], // PyYAML's float needs a dot
  ['1.0e+3', 1000],
  ['.5', 0.5],
  ['yes', true],
  ['No', false],
  ['on', true],
  ['OFF', false],
  ['y', 'y'], // not a YAML 1.1 boolean to PyYAML
  ['true', true],
  ['~', null],
  ['null', null],
  ['', null],
  ['2001-01-02', ['timestamp', '2001-01-02']],
  ['.inf', ['float', '.inf']],
  ['9007199254740993', ['int', '9007199254740993']],
  ['give_up', 'give_up'],
]

/** PyYAML's own reading of `k: <scalar>` for every fact, by the real library. */
function pyyaml(scalars: readonly string[]): unknown[] {
  const doc = scalars.map((s, i) => `k${i}: ${s}`).join('\n')
  const script = [
    'import datetime, json, math, sys, yaml',
    'def js(v):',
    '    if isinstance(v, (datetime.date, datetime.datetime)): return ["timestamp"]',
    '    if isinstance(v, float) and not math.isfinite(v): return ["float"]',
    '    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53 - 1: return ["int"]',
    '    return v',
    'd = yaml.safe_load(sys.stdin.read())',
    'print(json.dumps([js(d["k%d" % i]) for i in range(len(d))]))',
  ].join('\n')
  // values JSON has no match for come back as [their Python type]
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: doc, encoding: 'utf8' })) as unknown[]
}

describe("Krake's configuration as PyYAML reads it (issue 16)", () => {
  it('the table is what PyYAML itself reads (the real python3-yaml)', () => {
    const expected = FACTS.map(([, v]) => (Array.isArray(v) ? [v[0]] : v))
    expect(pyyaml(FACTS.map(([s]) => s))).toEqual(expected)
  })

  it('shutdown.timeout is read as PyYAML reads it (030 is 24, 1:30 is 90), or refused naming the key', () => {
    for (const [scalar, value] of FACTS) {
      const text = `hooks:\n  complete:\n    intermediate_src: a.pem\n    intermediate_key_src: a-key.pem\n  shutdown:\n    intermediate_src: a.pem\n    intermediate_key_src: a-key.pem\n    timeout: ${scalar}\n`
      if (typeof value === 'number' && Number.isInteger(value) && value >= 1) {
        expect([scalar, parseKrakeHooksConfig(text).shutdown?.timeout]).toEqual([scalar, value])
      } else {
        const e = hookErrorOf(() => parseKrakeHooksConfig(text))
        expect([scalar, e.code, e.path]).toEqual([scalar, 'ERR_INVALID_CONFIG', '/hooks/shutdown/timeout'])
      }
    }
  })

  it('a value PyYAML reads as something JSON cannot hold is refused by name, never read as another value', () => {
    const e = hookErrorOf(() =>
      parseKrakeHooksConfig(
        'hooks:\n  complete:\n    intermediate_src: a.pem\n    intermediate_key_src: b.pem\n    hook_user: 2001-01-02\n',
      ),
    )
    expect([e.code, e.path]).toEqual(['ERR_INVALID_CONFIG', '/hooks/complete/hook_user'])
    expect(e.message).toBe(
      'hooks.complete.hook_user must be a non-empty string, not "2001-01-02 (a Python date to PyYAML)"',
    )
    const on = hookErrorOf(() =>
      parseKrakeHooksConfig(
        'hooks:\n  shutdown:\n    intermediate_src: a.pem\n    intermediate_key_src: b.pem\n    failure_strategy: on\n',
      ),
    )
    expect([on.path, on.message]).toEqual(['/hooks/shutdown/failure_strategy', expect.stringContaining('not true')])
  })
})
