// The package installed from git, as the README's second install line does:
// npm clones it, installs its devDependencies, runs prepare (the build), and
// packs what remains. Its own file, so that it runs beside the packed-tarball
// tests rather than after them.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { root } from './helpers.js'

const sh = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error', npm_config_fund: 'false', npm_config_audit: 'false' },
  })

describe('installed from git, as the README says', () => {
  it('npm install git+file://<clone> runs prepare, builds dist, and the package imports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'krake-hooks-git-'))
    try {
      // a clone of what is committed, as a user's git URL gives it
      execFileSync('git', ['clone', '--quiet', root, join(dir, 'repo')])
      mkdirSync(join(dir, 'consumer'))
      writeFileSync(join(dir, 'consumer/package.json'), JSON.stringify({ name: 'c', private: true, type: 'module' }))
      sh(
        'npm',
        ['install', '--prefer-offline', '--no-package-lock', `git+file://${join(dir, 'repo')}`],
        join(dir, 'consumer'),
      )
      const out = sh(
        'node',
        [
          '--input-type=module',
          '-e',
          "const { signalHook } = await import('krake-hooks/app'); const { injectHook } = await import('krake-hooks'); console.log(typeof signalHook, typeof injectHook)",
        ],
        join(dir, 'consumer'),
      )
      expect(out.trim()).toBe('function function')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 240_000)
})
