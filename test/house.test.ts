// The house rules of issue 28, kept: every protocol name is defined once, in
// src/contract.ts, and no function in src/ runs over 80 lines. Read with the
// TypeScript compiler, so that comments and strings in comments do not count.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { root } from './helpers.js'

const SRC = join(root, 'src')
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
const sources = files(SRC).map((path) => ({
  name: relative(root, path),
  file: ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true),
}))

/** Every string literal of a file (template pieces too), with its line. */
function literals(file: ts.SourceFile): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = []
  const visit = (n: ts.Node) => {
    if (ts.isStringLiteralLike(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n))
      out.push({ text: n.text, line: file.getLineAndCharacterOfPosition(n.getStart()).line + 1 })
    ts.forEachChild(n, visit)
  }
  visit(file)
  return out
}

describe('the house (issue 28)', () => {
  it('each protocol name (env variables, mount directories, labels, annotations, the field manager) is written in src/contract.ts alone', () => {
    const protocol =
      /^(?:KRAKE_[A-Z_]+|\/etc\/krake_[a-z_]+\/?|krake-hooks\/[a-z][a-z-]*|app\.kubernetes\.io\/managed-by)$/
    const elsewhere = sources
      .filter((s) => s.name !== join('src', 'contract.ts'))
      .flatMap((s) =>
        literals(s.file)
          .filter((l) => protocol.test(l.text))
          .map((l) => `${s.name}:${l.line} ${l.text}`),
      )
    expect(elsewhere).toEqual([])
    // and contract.ts does define them (the rule above is not vacuous)
    const contract = sources.find((s) => s.name === join('src', 'contract.ts'))!
    expect(literals(contract.file).filter((l) => protocol.test(l.text)).length).toBeGreaterThan(15)
  })

  it('no function in src/ runs over 80 lines', () => {
    const long: string[] = []
    for (const { name, file } of sources) {
      const visit = (n: ts.Node) => {
        if (ts.isFunctionLike(n) && 'body' in n && n.body !== undefined) {
          const first = file.getLineAndCharacterOfPosition(n.getStart()).line
          const last = file.getLineAndCharacterOfPosition(n.getEnd()).line
          if (last - first + 1 > 80) long.push(`${name}:${first + 1} (${last - first + 1} lines)`)
        }
        ts.forEachChild(n, visit)
      }
      visit(file)
    }
    expect(long).toEqual([])
  })
})
