import { ENV_NAMES } from '../contract.js'
import type { HookKind } from '../types.js'

/**
 * The variables the hook gives every container, in the order it writes
 * them: one row each. A third variable would be one more row (and its
 * `options.env` name).
 */
export interface HookVariable {
  /** Its key in `options.env`, which renames it. */
  role: 'token' | 'url'
  /** Its name when `options.env` does not say, per hook. */
  defaultName: Readonly<Record<HookKind, string>>
  /** Its value, from the checked hook. */
  value: (hook: { token: string; url: string }) => string
  /** Its key in the token Secret (`tokenFrom: 'secret'`), unless the caller names the keys. */
  secretKey: string
}

export const HOOK_VARIABLES: readonly HookVariable[] = [
  {
    role: 'token',
    defaultName: { complete: ENV_NAMES.seed.complete.token, shutdown: ENV_NAMES.seed.shutdown.token },
    value: (h) => h.token,
    secretKey: 'token',
  },
  {
    role: 'url',
    defaultName: { complete: ENV_NAMES.seed.complete.url, shutdown: ENV_NAMES.seed.shutdown.url },
    value: (h) => h.url,
    secretKey: 'url',
  },
]

/** One variable as a plan holds it: its name, value and Secret key resolved. */
export interface PlannedVariable {
  role: HookVariable['role']
  name: string
  value: string
  secretKey: string
}
