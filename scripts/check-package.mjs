// publint and attw on the packed package, packed into a temporary directory so
// that a tarball the user packed earlier in the project is never touched.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' })
const dir = mkdtempSync(join(tmpdir(), 'krake-hooks-pack-'))
try {
  run('npx', ['--no-install', 'publint', '--strict'])
  // npm test has built dist/ already; packing without prepack keeps it as it is
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${dir}`)
  run('npx', ['--no-install', 'attw', join(dir, tarball), '--profile', 'esm-only'])
} finally {
  rmSync(dir, { recursive: true, force: true })
}
