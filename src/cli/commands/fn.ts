// krake-hooks fn: the KRM function (kpt fn eval --exec, kpt fn render, kustomize).
import { HookError } from '../../errors.js'
import { args, describe, readStdin, restrictor } from '../common.js'
import { runKrmFunction } from '../krm.js'

export function fn(argv: string[]): number {
  const parsed = args('fn', { args: argv, options: { 'load-restrictor': { type: 'string' } } })
  if (typeof parsed === 'number') return parsed
  const loads = restrictor('fn', parsed.values['load-restrictor'])
  if (typeof loads === 'number') return loads
  try {
    const { output, failed } = runKrmFunction(readStdin(), { baseDir: process.cwd(), restrictor: loads })
    process.stdout.write(output)
    return failed ? 1 : 0
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    process.stderr.write(`krake-hooks fn: ${describe(e)}\n`)
    return 1
  }
}
