import { CORE_SCHEMA, intYaml11Tag, mergeTag } from 'js-yaml'

/**
 * Scalars as kustomize and kpt read them (go-yaml v3): YAML 1.2 core, except
 * that a legacy octal like `defaultMode: 0644` is 420, and merge keys work.
 * `yes`, `on` and `y` stay strings (the 1.1 booleans would turn a key `y:`
 * into "true"), and a date stays the string it was written as.
 */
export const KUBERNETES_SCHEMA = CORE_SCHEMA.withTags(intYaml11Tag, mergeTag)
