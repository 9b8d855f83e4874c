// krake-hooks/yaml: manifests read and written so that kubectl and kustomize
// (the Go readers) see the values we do.
export { parseManifests } from '../yaml/parse.js'
export { stringifyManifests } from '../yaml/stringify.js'
export { HookError } from '../errors.js'
export type { HookErrorCode, HookErrorOptions } from '../errors.js'
