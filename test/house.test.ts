// The house rules of issue 28, kept: every protocol name is defined once, in
// src/contract.ts; no function in src/ runs over 80 lines; imports run down
// the house's levels only, and into inject/ through its front door alone.
// Read with the TypeScript compiler, so that comments and strings in
// comments do not count.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
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

  it('imports run from a higher level of the house to a lower one only, and into inject/ through inject/index.ts alone', () => {
    // The levels, lowest first: a unit is a folder of src/ or a file at its top.
    const levels: Record<string, number> = {
      'contract.ts': 0,
      'errors.ts': 0,
      lib: 1,
      'types.ts': 2,
      yaml: 3,
      cert: 3,
      token: 3,
      signal: 3,
      inject: 4,
      verify: 4,
      store: 5,
      krake: 5,
      admission: 5,
      shutdown: 6,
      entries: 7,
      cli: 8,
      'index.ts': 8,
    }
    const unitOf = (path: string) => relative(SRC, path).split('/')[0] ?? ''
    const wrong: string[] = []
    let across = 0
    for (const { name, file } of sources) {
      const from = join(root, name)
      for (const statement of file.statements) {
        const spec =
          (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
          statement.moduleSpecifier !== undefined &&
          ts.isStringLiteral(statement.moduleSpecifier)
            ? statement.moduleSpecifier.text
            : undefined
        if (spec === undefined || !spec.startsWith('.')) continue
        const target = resolve(dirname(from), spec).replace(/\.js$/, '.ts')
        const [a, b] = [unitOf(from), unitOf(target)]
        if (a === b) continue
        across++
        const [la, lb] = [levels[a], levels[b]]
        if (la === undefined || lb === undefined) wrong.push(`${name}: ${a} or ${b} has no level`)
        else if (la <= lb) wrong.push(`${name} (${a}, level ${la}) imports ${spec} (${b}, level ${lb})`)
        if (b === 'inject' && relative(SRC, target) !== join('inject', 'index.ts'))
          wrong.push(`${name} reaches behind inject/'s front door: ${spec}`)
      }
    }
    expect(wrong).toEqual([])
    expect(across).toBeGreaterThan(100) // the rule read the imports (not vacuous)
  })
})
